package ncpfunctions

import "github.com/vodflow/vodflow/pkg/ncpapi"

// CodeDuplicatedRule is NCP's error code for linking an action that is
// already linked to the trigger.
const CodeDuplicatedRule = "80901"

// APIError is a non-2xx answer from Cloud Functions or its gateway
// (the NCP API Gateway's shared error, package ncpapi).
type APIError = ncpapi.APIError

// TransportError is a request that got no HTTP answer.
type TransportError = ncpapi.TransportError
