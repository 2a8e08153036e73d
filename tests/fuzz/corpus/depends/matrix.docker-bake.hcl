group "default" {
  targets = ["app", "tools"]
}

target "common" {
  platforms = ["linux/amd64"]
}

target "app" {
  name      = "app-${tgt}-${replace(ver, ".", "-")}"
  inherits  = ["common"]
  matrix = {
    tgt = ["web", "cli"]
    ver = ["1.0", "2.1"]
  }
  target = tgt
  args = {
    VERSION = ver
  }
}

target "tools" {
  contexts = {
    web = "target:app-web-2-1"
  }
  platforms = ["linux/AMD64", "linux/arm64"]
}
