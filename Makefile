# docker-krust: build, install, test and demo.
BIN        := bin
PLUGIN_DIR ?= $(HOME)/.docker/cli-plugins
PREFIX     ?= /usr/local
VERSION    ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS    := -s -w -X main.version=$(VERSION)

.PHONY: build install test lint demo clean

build: ## the plugin binary, with a krust link beside it
	go build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/docker-krust ./cmd/docker-krust
	ln -sf docker-krust $(BIN)/krust

install: build ## as a Docker CLI plugin and as $(PREFIX)/bin/krust
	install -D -m 0755 $(BIN)/docker-krust $(PLUGIN_DIR)/docker-krust
	install -D -m 0755 $(BIN)/docker-krust $(PREFIX)/bin/krust

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo 'gofmt needed'; exit 1; }
	go vet ./...

test: lint ## unit and end-to-end tests (real cargo, skopeo, umoci, Docker)
	go test -count=1 ./...

demo: build ## build example/hello-krust into an OCI layout and run it
	hack/demo.sh

clean:
	rm -rf $(BIN) example/hello-krust/target
