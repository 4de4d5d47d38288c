package reconcile

import (
	"context"
	"errors"
	"net/http"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/config"
	"github.com/vodflow/vodflow/pkg/objectstorage"
)

// storageLister lists a bucket with the Object Storage client.
type storageLister struct{ c *objectstorage.Client }

// List implements Lister with ListObjects V1 and a marker.
func (l storageLister) List(ctx context.Context, bucket, prefix, marker string, max int) ([]Object, string, error) {
	objs, next, err := l.c.List(ctx, bucket, prefix, marker, max)
	if err != nil {
		return nil, "", err
	}
	out := make([]Object, len(objs))
	for i, o := range objs {
		out[i] = Object{Key: o.Key, ETag: o.ETag, Size: o.Size, LastModified: o.LastModified}
	}
	return out, next, nil
}

// StorageLister is the ListerFunc of the reconcile action: the Object
// Storage client of OBJECT_STORAGE_ENDPOINT and OBJECT_STORAGE_REGION,
// signing with the NCP key pair, with opts.
func StorageLister(opts ...objectstorage.Option) ListerFunc {
	return func(api config.API, st config.Storage) (Lister, error) {
		c, err := objectstorage.New(objectstorage.Config{
			Endpoint: string(st.Endpoint), Region: string(st.Region),
			AccessKey: api.AccessKey, SecretKey: api.SecretKey,
		}, opts...)
		if err != nil {
			return nil, err
		}
		return storageLister{c}, nil
	}
}

// storageError gives an Object Storage failure a code and an HTTP status
// that say what is wrong (a missing bucket, refused keys, an endpoint that
// is down), keeping its message; other errors are returned as they are.
func storageError(err error) error {
	var oe *objectstorage.Error
	if !errors.As(err, &oe) {
		return err
	}
	code, status := "storage_error", http.StatusBadGateway
	switch {
	case errors.Is(err, objectstorage.ErrNoBucket):
		code, status = "bucket_not_found", http.StatusNotFound
	case errors.Is(err, objectstorage.ErrAccessDenied):
		code, status = "storage_access_denied", http.StatusForbidden
	case errors.Is(err, objectstorage.ErrUnreachable):
		code, status = "storage_unreachable", http.StatusBadGateway
	}
	return &action.Error{Code: code, Status: status, Message: err.Error(), Err: err}
}
