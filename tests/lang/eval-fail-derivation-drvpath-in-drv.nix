# A .drv path (with all its outputs) in a derivation needs the closure of a
# valid path; nothing is valid in a read-only evaluation.
let d = derivation { name = "d"; system = "s"; builder = "/b"; }; in (derivation { name = "e"; system = "s"; builder = "/b"; x = d.drvPath; }).outPath
