module github.com/wollomatic/socket-proxy

go 1.26.6
