# An example project for `make demo`: a shared base, services built on it
# through target: contexts, independent tools, and one arm64-only image.
# Images start from the local test registry's busybox (no internet here).

variable "DBAKE_TEST_REGISTRY" {
  default = "127.0.0.1:5000"
}

variable "DEMO_ID" {
  default = "1"
}

group "default" {
  targets = ["api", "web", "worker", "cron", "docs", "lint", "edge-arm64"]
}

target "_common" {
  args = {
    BASE = "${DBAKE_TEST_REGISTRY}/base/busybox"
    DEMO_ID = DEMO_ID
  }
}

target "base" {
  inherits   = ["_common"]
  dockerfile = "base.Dockerfile"
}

target "api" {
  inherits   = ["_common"]
  contexts   = { base = "target:base" }
  dockerfile = "service.Dockerfile"
  args       = { SERVICE = "api", WORK = "3" }
}

target "web" {
  inherits   = ["_common"]
  contexts   = { base = "target:base" }
  dockerfile = "service.Dockerfile"
  args       = { SERVICE = "web", WORK = "2" }
}

target "worker" {
  inherits   = ["_common"]
  contexts   = { base = "target:base" }
  dockerfile = "service.Dockerfile"
  args       = { SERVICE = "worker", WORK = "4" }
}

target "cron" {
  inherits   = ["_common"]
  dockerfile = "tool.Dockerfile"
  args       = { TOOL = "cron", WORK = "1" }
}

target "docs" {
  inherits   = ["_common"]
  dockerfile = "tool.Dockerfile"
  args       = { TOOL = "docs", WORK = "2" }
}

target "lint" {
  inherits   = ["_common"]
  dockerfile = "tool.Dockerfile"
  args       = { TOOL = "lint", WORK = "1" }
}

target "edge-arm64" {
  inherits   = ["_common"]
  dockerfile = "tool.Dockerfile"
  args       = { TOOL = "edge", WORK = "2" }
  platforms  = ["linux/arm64"]
}
