# Xiuhua: the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /usr/bin/env bash
GO    ?= go
export XIUHUA_CACHE ?= $(HOME)/.cache/xiuhua

# Every test, with the race detector. The end-to-end tests build the three
# binaries themselves, so this needs nothing but hack/setup.sh beforehand.
TEST_FLAGS ?= -race -count=1 -timeout 40m

.PHONY: all setup build demo test proto clean
all: build

setup:
	hack/setup.sh

build:
	mkdir -p bin
	$(GO) build -o bin/ ./edge/cmd/edge ./server/cmd/server ./hack/camsim ./hack/stage

demo: setup build
	hack/demo.sh

test:
	$(GO) vet ./...
	$(GO) test $(TEST_FLAGS) ./...

proto:
	hack/gen-proto.sh

clean:
	rm -rf bin data
