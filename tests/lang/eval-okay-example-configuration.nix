# The README's main job: examples/configuration.nix must evaluate (as JSON).
import ../../examples/configuration.nix
