module github.com/vodflow/vodflow

go 1.23.0

require github.com/go-resty/resty/v2 v2.17.2

require (
	github.com/apache/openwhisk-client-go v0.0.0-20250309042127-fa7fa7e48863 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/net v0.43.0 // indirect
)
