# Function metadata tricks used by callPackage-style code: `or` on a
# non-attrset, functors carrying __functionArgs, intersectAttrs for
# auto-arguments, and overriding through a re-call.
let
  setFunctionArgs = f: args: { __functor = self: f; __functionArgs = args; };
  functionArgs = f: f.__functionArgs or (builtins.functionArgs f);
  isFunction = f: builtins.isFunction f || (f ? __functor && isFunction (f.__functor f));
  makeOverridable = f: origArgs:
    let result = f origArgs;
        copyArgs = g: setFunctionArgs g (functionArgs f);
    in result // { override = copyArgs (newArgs: makeOverridable f (origArgs // newArgs)); };
  callPackageWith = auto: fn: args:
    makeOverridable fn (builtins.intersectAttrs (functionArgs fn) auto // args);
  pkg = { libfoo, libbar ? "default", enableX ? false }: { inherit libfoo libbar enableX; };
  r = callPackageWith { libfoo = "foo"; libbar = "bar"; unrelated = 1; } pkg { enableX = true; };
  wrapped = setFunctionArgs (x: x * 2) { x = false; };
in {
  args = [ (functionArgs pkg) (functionArgs wrapped) (functionArgs (x: x)) ];
  isFn = [ (isFunction pkg) (isFunction wrapped) (isFunction 1) (isFunction { __functor = s: x: x; }) ];
  called = removeAttrs r [ "override" ];
  overridden = removeAttrs (r.override { libfoo = "FOO"; }) [ "override" ];
  overrideArgs = functionArgs r.override;
  wrappedCall = wrapped 21;
}
