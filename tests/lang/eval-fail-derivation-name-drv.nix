# A derivation name cannot end in .drv.
(derivation { name = "x.drv"; system = "s"; builder = "/b"; }).outPath
