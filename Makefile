# landlord compute service: the two commands a newcomer needs are
#   make run    install what is missing, build, start the server (mock provider)
#   make test   install what is missing, build, run every test (Swift and interop)

SHELL := /bin/bash
SWIFT ?= swift
PYTHON ?= python3

# Debian packages the build and the tests need (checked one by one, installed only when missing).
APT_PACKAGES := pkg-config libnghttp2-dev libprotobuf-c-dev protobuf-c-compiler protobuf-compiler libprotobuf-dev nghttp2-client
# The fake Kubernetes API server (Tests/fakes/kubernetes) makes its test CA with the openssl CLI and
# the kubernetes provider's Swift tests call its hooks with curl.
APT_PACKAGES += openssl curl
# The Go interop client (Tests/interop/go, built in GOPATH mode from Debian's packages, no module
# downloads) and the TLS benchmark's load generator (h2load, in nghttp2-client above).
APT_PACKAGES += golang-go golang-google-grpc-dev golang-google-protobuf-dev protoc-gen-go protoc-gen-go-grpc
# PyPI packages of the interop tests (an independent gRPC client). moto (server mode) is the AWS
# emulator the ecs provider's Swift and interop tests start themselves on loopback, with signature
# checking on (Tests/fakes/ecs/moto_ecs.py); boto3 checks what landlord wrote. python-nomad is the
# independent client the fake Nomad agent (Tests/fakes/nomad) is checked with.
PIP_PACKAGES := grpcio grpcio-tools grpcio-health-checking grpcio-reflection grpcio-status pytest kubernetes-validate kubernetes prometheus_client 'moto[server]' boto3 python-nomad

.PHONY: all deps apt-deps pip-deps build build-release test swift-test interop-test run clean proto check-proto

all: build

deps: apt-deps pip-deps

apt-deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

pip-deps:
	@$(PYTHON) -c "import grpc, grpc_tools, grpc_health, grpc_reflection, grpc_status, pytest, kubernetes_validate, kubernetes, prometheus_client, boto3, moto, flask, flask_cors, nomad" 2>/dev/null && command -v moto_server >/dev/null || { \
	  echo "installing Python packages: $(PIP_PACKAGES)"; \
	  $(PYTHON) -m pip install -q --disable-pip-version-check $(PIP_PACKAGES); }

build: apt-deps
	$(SWIFT) build

# The release build links the Swift runtime statically, as deploy/Dockerfile does: the binary we
# ship and benchmark (it also starts with less memory mapped than the dynamically linked one).
RELEASE_FLAGS = -c release --static-swift-stdlib

build-release: apt-deps
	$(SWIFT) build $(RELEASE_FLAGS)

test: deps check-proto swift-test interop-test

# Regenerate the protoc-c code and descriptor sets from proto/ and Tests/proto/ (commit the result).
proto: apt-deps
	PYTHON=$(PYTHON) dev/generate-protos.sh

# Fail when the committed generated code differs from what `make proto` would write.
check-proto: apt-deps
	PYTHON=$(PYTHON) dev/check-generated-code.sh

# The ecs provider's Swift tests start moto (a PyPI package): pip-deps first.
swift-test: apt-deps pip-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Python grpcio against the real binaries (landlord and the runtime's test server).
interop-test: deps
	$(SWIFT) build
	$(PYTHON) -m pytest -q Tests/interop
	$(PYTHON) -m pytest -q Tests/fakes/kubernetes
	$(PYTHON) -m pytest -q Tests/fakes/nomad

# Build the release server and start it on its defaults (mock provider, 0.0.0.0:50051); with
# LANDLORD_METRICS_LISTEN_ADDRESS set it also serves Prometheus metrics there and says how to scrape.
run: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product landlord
	@echo ""
	@echo "landlord will listen on $${LANDLORD_LISTEN_ADDRESS:-0.0.0.0:50051} (gRPC over h2c, mock provider); Ctrl-C drains and stops it."
	@echo "Try it from another terminal (more commands: examples/python/README.md):"
	@echo "  $(PYTHON) examples/python/landlord_client.py provision demo"
	@if [ -n "$${LANDLORD_METRICS_LISTEN_ADDRESS}" ]; then \
	  addr="$${LANDLORD_METRICS_LISTEN_ADDRESS}"; case "$$addr" in 0.0.0.0:*) addr="127.0.0.1:$${addr#0.0.0.0:}";; esac; \
	  echo "Prometheus metrics are on $${LANDLORD_METRICS_LISTEN_ADDRESS}; scrape them with:"; \
	  echo "  curl -s http://$$addr/metrics"; \
	  echo "  (Prometheus: a static_configs target '$$addr', metrics_path /metrics; docs/operations.md lists the metrics)"; \
	else \
	  echo "Prometheus metrics are off; LANDLORD_METRICS_LISTEN_ADDRESS=127.0.0.1:9464 make run turns them on."; \
	fi
	@echo ""
	@exec .build/release/landlord

clean:
	rm -rf .build

# The Docker provider's end-to-end tests (Tests/LandlordDockerProviderTests) run on a real engine:
# rootful podman with runc, its Docker-compatible API on a unix socket, and a busybox test image
# built locally (dev/podman/up.sh; idempotent). The tests read the socket from
# LANDLORD_TEST_DOCKER_HOST and fail (not skip) when the engine does not answer.
APT_PACKAGES += podman runc busybox-static curl
LANDLORD_PODMAN_DIR ?= /tmp/landlord-podman
export LANDLORD_TEST_DOCKER_HOST ?= unix://$(LANDLORD_PODMAN_DIR)/podman.sock
.PHONY: podman-up podman-down
swift-test: podman-up
podman-up: apt-deps
	@LANDLORD_PODMAN_DIR=$(LANDLORD_PODMAN_DIR) dev/podman/up.sh
podman-down:
	@LANDLORD_PODMAN_DIR=$(LANDLORD_PODMAN_DIR) dev/podman/down.sh
