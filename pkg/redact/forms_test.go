package redact_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/vodflow/vodflow/pkg/redact"
)

// TestEscapedFormsWithoutSomeCharacterClass: a secret made of one or two
// of the classes no encoder changes (lower-case letters, upper-case
// letters, digits, -_.~) plus characters some encoder does change is
// scrubbed in each escaped form. Secrets usually mix every class; these
// lack one, so a secret is never taken for one no encoder changes because
// of the classes it happens to contain.
func TestEscapedFormsWithoutSomeCharacterClass(t *testing.T) {
	for _, secret := range []string{
		`SK"<&>\Q91`, // no lower-case letter
		`SK|Q9{1}é`,  // no lower-case letter; |{} and é are escaped in URLs
		`sk"<&>q91`,  // no upper-case letter
		`sk\q91|~`,   // no upper-case letter; \ and | are above 'Z'
		`sk"&QA-_.~`, // no digit
		`sk<>QA\|`,   // no digit; <>\| are above '9'
		`"<&>\ /+|`,  // no letter, no digit
	} {
		set := redact.New(secret)
		for _, in := range []string{unquote(jsonHTML(secret)), unquote(jsonPlain(secret)), unquote(fmt.Sprintf("%q", secret)), url.QueryEscape(secret), url.PathEscape(secret)} {
			assert.Equal(t, "error [redacted] end", set.String("error "+in+" end"), "%s as %s", secret, in)
		}
	}
}

// unquote is a quoted form without its quotes.
func unquote(form string) string { return form[1 : len(form)-1] }

// TestClipInvalidUTF8: a text of continuation bytes only (not UTF-8) is
// clipped to nothing rather than past its start.
func TestClipInvalidUTF8(t *testing.T) {
	assert.Equal(t, "…", redact.Clip("\x80\x80\x80", 2))
}
