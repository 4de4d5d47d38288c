module github.com/vodflow/vodflow

go 1.23.0

require (
	github.com/apache/openwhisk-client-go v0.0.0-20250309042127-fa7fa7e48863
	github.com/apache/openwhisk-wskdeploy v0.0.0-20241212232442-16acc805fe2c
	github.com/go-resty/resty/v2 v2.17.2
	github.com/stretchr/testify v1.12.1
	go.yaml.in/yaml/v3 v3.0.5
)

require (
	github.com/cloudfoundry/jibber_jabber v0.0.0-20151120183258-bcc4c8345a21 // indirect
	github.com/fatih/color v1.17.0 // indirect
	github.com/ghodss/yaml v1.0.1-0.20190212211648-25d852aebe32 // indirect
	github.com/google/go-querystring v1.1.0 // indirect
	github.com/hokaccha/go-prettyjson v0.0.0-20211117102719-0474bc63780f // indirect
	github.com/mattn/go-colorable v0.1.13 // indirect
	github.com/mattn/go-isatty v0.0.20 // indirect
	github.com/nicksnyder/go-i18n v1.10.3 // indirect
	github.com/pelletier/go-toml v1.9.5 // indirect
	golang.org/x/net v0.43.0 // indirect
	golang.org/x/sys v0.35.0 // indirect
	gopkg.in/yaml.v2 v2.4.0 // indirect
)
