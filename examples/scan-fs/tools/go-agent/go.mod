module github.com/example/go-agent

go 1.19

require (
	github.com/gin-gonic/gin v1.6.3
	golang.org/x/text v0.3.5 // indirect
)
