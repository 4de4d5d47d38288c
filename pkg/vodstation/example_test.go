package vodstation_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/vodstation"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

// Credentials of the examples' emulated account.
const (
	exampleAccessKey = "AK_EXAMPLE"
	exampleSecretKey = "SK_EXAMPLE"
)

// exampleServer starts the VOD Station emulator (a test double standing for
// https://vodstation.apigw.ntruss.com) with two categories, one disabled.
func exampleServer() *vodstationtest.Server {
	srv, err := vodstationtest.NewServer(vodstationtest.Options{AccessKey: exampleAccessKey, SecretKey: exampleSecretKey})
	if err != nil {
		panic(err)
	}
	srv.AddCategory(vodstationtest.Category{ID: 41, Name: "old-encode", Disabled: true})
	srv.AddCategory(vodstationtest.Category{ID: 42, Name: "vod-encode"})
	return srv
}

// A client is built from the API's base URL and the account's access key
// pair; the secret key stays wrapped in a signing.Secret, which never prints.
func ExampleNew() {
	creds := signing.Credentials{AccessKey: exampleAccessKey, SecretKey: signing.NewSecret(exampleSecretKey)}
	client, err := vodstation.New("https://vodstation.apigw.ntruss.com", creds, vodstation.WithRegion("KR"))
	fmt.Println(client != nil, err)

	_, err = vodstation.New("https://vodstation.apigw.ntruss.com", signing.Credentials{AccessKey: exampleAccessKey})
	fmt.Println(errors.Is(err, signing.ErrMissingCredentials))

	_, err = vodstation.New("vodstation.apigw.ntruss.com", creds)
	fmt.Println(err)
	// Output:
	// true <nil>
	// true
	// vodstation: base URL "vodstation.apigw.ntruss.com" must be http(s)://host
}

// FindCategory walks the category list for an enabled category of that
// name; errors.Is tells a missing category from a failed call.
func ExampleClient_FindCategory() {
	srv := exampleServer()
	defer srv.Close()
	creds := signing.Credentials{AccessKey: exampleAccessKey, SecretKey: signing.NewSecret(exampleSecretKey)}
	client, err := vodstation.New(srv.URL, creds)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	cat, err := client.FindCategory(ctx, "vod-encode")
	fmt.Println(cat.ID, cat.Name, err)

	for _, name := range []string{"old-encode", "no-such-category"} {
		_, err = client.FindCategory(ctx, name)
		switch {
		case errors.Is(err, vodstation.ErrCategoryNotFound):
			fmt.Printf("%s: not found (a disabled category does not count)\n", name)
		case err != nil:
			fmt.Println("the call failed:", err)
		}
	}
	// Output:
	// 42 vod-encode <nil>
	// old-encode: not found (a disabled category does not count)
	// no-such-category: not found (a disabled category does not count)
}

// AddFiles submits objects of a bucket for encoding under a category and
// returns one file id per path, in order. A refusal is an *APIError whose
// ErrorCode classifies it; ErrOutcomeUnknown marks a failure after which
// the files may have been accepted, which must not be submitted again.
func ExampleClient_AddFiles() {
	srv := exampleServer()
	defer srv.Close()
	creds := signing.Credentials{AccessKey: exampleAccessKey, SecretKey: signing.NewSecret(exampleSecretKey)}
	client, err := vodstation.New(srv.URL, creds)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	files, err := client.AddFiles(ctx, "42", vodstation.AddFilesRequest{
		BucketName: "vodflow-uploads",
		Paths:      []string{"uploads/a.mp4", "uploads/b.mp4"},
	})
	if err != nil {
		panic(err)
	}
	for _, f := range files {
		fmt.Println(f.ID, f.FilePath)
	}

	// The same call signed with a wrong secret key is refused by the gateway.
	wrong := signing.Credentials{AccessKey: exampleAccessKey, SecretKey: signing.NewSecret("SK_WRONG")}
	bad, err := vodstation.New(srv.URL, wrong)
	if err != nil {
		panic(err)
	}
	_, err = bad.AddFiles(ctx, "42", vodstation.AddFilesRequest{BucketName: "vodflow-uploads", Paths: []string{"uploads/c.mp4"}})
	var apiErr *vodstation.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.ErrorCode(), errors.Is(err, vodstation.ErrOutcomeUnknown))
	}
	// Output:
	// 1 uploads/a.mp4
	// 2 uploads/b.mp4
	// 401 unauthorized false
}
