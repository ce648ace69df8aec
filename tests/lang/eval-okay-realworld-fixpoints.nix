# Overlay-style fixed points as used by package-set libraries: a fixed point
# that records its generator, extension composition, and re-extension.
let
  fix' = f: let x = f x // { __unfix__ = f; }; in x;
  extends = f: rattrs: self: let super = rattrs self; in super // f self super;
  composeExtensions = f: g: self: super:
    let fApplied = f self super; super' = super // fApplied;
    in fApplied // g self super';
  makeExtensible' = name: rattrs:
    fix' rattrs // { ${name} = f: makeExtensible' name (extends f rattrs); };
  base = makeExtensible' "extend" (self: { a = 1; b = self.a + 1; list = [ self.a ]; });
  o1 = base.extend (self: super: { a = 10; c = super.b * 2; });
  o2 = o1.extend (composeExtensions
    (self: super: { list = super.list ++ [ self.c ]; })
    (self: super: { d = builtins.length super.list; }));
  strip = s: removeAttrs s [ "__unfix__" "extend" ];
in {
  base = strip base;
  o1 = strip o1;
  o2 = strip o2;
  lazyAttr = (base.extend (self: super: { boom = throw "never forced"; })).b;
}
