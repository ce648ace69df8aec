# Every module of a firn system, imported by each configuration.
[
  ./misc/assertions.nix
]
