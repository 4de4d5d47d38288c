package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/config"
	"github.com/vodflow/vodflow/pkg/signing"
)

func TestAPIValidateFillsDefaultsAndNamesTheField(t *testing.T) {
	a := config.API{AccessKey: " AK ", SecretKey: signing.NewSecret("SK-123456")}
	require.NoError(t, a.Validate())
	assert.Equal(t, "AK", a.AccessKey)
	assert.EqualValues(t, config.DefaultAPIURL, a.APIURL)
	assert.EqualValues(t, config.DefaultRegion, a.Region)

	for _, tt := range []struct {
		name string
		api  config.API
		want string
	}{
		{"no access key", config.API{SecretKey: signing.NewSecret("x")}, "NCLOUD_ACCESS_KEY"},
		{"no secret key", config.API{AccessKey: "AK"}, "NCLOUD_SECRET_KEY"},
		{"not a URL", config.API{AccessKey: "AK", SecretKey: signing.NewSecret("x"), APIURL: "ftp://h"}, "API_URL"},
		{"no host", config.API{AccessKey: "AK", SecretKey: signing.NewSecret("x"), APIURL: "http://:80/x"}, "API_URL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.api.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestCheckURLNeverEchoesAPassword(t *testing.T) {
	err := config.CheckURL("WEBHOOK_URL", "http://user:PW-SENTINEL-77@host:badport/x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "WEBHOOK_URL")
	assert.NotContains(t, err.Error(), "PW-SEN")
}

func TestNotifyNeedsASecretWithAURL(t *testing.T) {
	n := config.Notify{}
	require.NoError(t, n.Validate())
	assert.False(t, n.Enabled())

	n = config.Notify{WebhookURL: " https://hooks.example/x "}
	err := n.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "WEBHOOK_SECRET")

	n.WebhookSecret = signing.NewSecret("whsec-123456")
	require.NoError(t, n.Validate())
	assert.Equal(t, "https://hooks.example/x", n.WebhookURL)
	assert.True(t, n.Enabled())
}

func TestCallbackValidate(t *testing.T) {
	c := config.Callback{}
	require.NoError(t, c.Validate())
	assert.Equal(t, "notificationUrl", c.NotificationField, "the default field")

	c = config.Callback{NotificationField: "notification", NotificationURL: " https://gw.example/cb?token=t "}
	require.NoError(t, c.Validate())
	assert.Equal(t, "https://gw.example/cb?token=t", c.NotificationURL)

	for _, bad := range []config.Callback{{NotificationField: "callback"}, {NotificationURL: "/relative"}, {NotificationURL: "mailto:x@y"}} {
		err := bad.Validate()
		require.Error(t, err, "%+v", bad)
		assert.Contains(t, err.Error(), "NOTIFICATION_")
	}
}
