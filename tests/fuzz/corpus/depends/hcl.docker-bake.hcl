group "default" {
  targets = ["all"]
}

group "all" {
  targets = ["app", "backend"]
}

group "backend" {
  targets = ["api", "worker"]
}

target "toolchain" {
  dockerfile = "Dockerfile.toolchain"
}

target "base" {
  dockerfile = "Dockerfile.base"
  contexts = {
    toolchain = "target:toolchain"
  }
  platforms  = ["linux/amd64", "linux/arm64/v8"]
}

target "app" {
  contexts = {
    base = "target:base"
  }
  platforms  = ["linux/amd64", "linux/arm64/v8"]
  cache-from = ["type=registry,ref=example.com/app:cache"]
  cache-to   = ["type=inline"]
  tags       = ["example.com/app:latest"]
}

target "api" {
  platforms = ["linux/arm/v7", "linux/amd64/v2"]
  cache-from = ["type=gha"]
}

target "worker" {
  args = {
    MODE = "worker"
  }
}

target "docs" {
  dockerfile = "Dockerfile.docs"
}
