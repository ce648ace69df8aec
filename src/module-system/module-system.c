/* builtins.__firnModuleSystem: the native half of firn's lib. */
#include "module-system.h"

#include "ms-internal.h"

void ms_types_set_context(Value *lib, Value *internal_module);

static int prim_checked_config(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        return ms_checked_config(args[0]->external.ptr, ret);
}

static const PrimOp checked_config_op = {
        .name = "checkedConfig", .arity = 1, .args = { "evaluation" }, .fn = prim_checked_config
};

static int prim_module_config(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        MsEval *ms = args[0]->external.ptr;
        int r = eval_force_attrs(st, ms->config, NULL);
        if (r < 0)
                return r;
        Attr *a = bindings_find(ms->config->attrs, ms_sym._module);
        if (!a)
                return ms_error(st, NULL, "the evaluation has no `_module' options");
        if ((r = eval_force(st, a->value, NULL)) < 0)
                return r;
        *ret = *a->value;
        return 0;
}

static const PrimOp module_config_op = {
        .name = "moduleConfig", .arity = 1, .args = { "evaluation" }, .fn = prim_module_config
};

static Value *get(Value *set, const char *name) {
        Attr *a = bindings_find(set->attrs, symbol_intern_str(name));
        return a ? a->value : NULL;
}

/* evalModules { modules; specialArgs ? {}; prefix ? []; lib; internalModule; }
 * (modules/lib/modules.nix fills lib and internalModule). */
static int prim_eval_modules(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        ms_symbols_init();
        int r = eval_force_attrs(st, args[0], pos);
        if (r < 0)
                return r;
        Value *modules = get(args[0], "modules"), *sa = get(args[0], "specialArgs"), *prefix = get(args[0], "prefix");
        Value *lib = get(args[0], "lib"), *internal = get(args[0], "internalModule");
        if (!modules || !lib || !internal)
                return ms_error(st, pos, "evalModules needs `modules' (and, from lib, `lib' and `internalModule')");
        if ((r = eval_force_list(st, modules, pos)) < 0)
                return r;
        if (!sa) {
                sa = value_new();
                value_set_attrs(sa, bindings_new(0));
        } else if ((r = eval_force_attrs(st, sa, pos)) < 0)
                return r;
        const Loc *loc = NULL;
        if (prefix) {
                if ((r = eval_force_list(st, prefix, pos)) < 0)
                        return r;
                for (size_t i = 0; i < prefix->list.size; i++) {
                        const char *s;
                        if ((r = eval_force_string(st, prefix->list.elems[i], pos, NULL, &s)) < 0)
                                return r;
                        loc = loc_push(loc, s);
                }
        }
        ms_types_set_context(lib, internal);
        Value *all = value_new();
        value_set_list(all, modules->list.size + 1);
        /* After the user's modules, as nixpkgs has it. */
        for (size_t i = 0; i < modules->list.size; i++)
                all->list.elems[i] = modules->list.elems[i];
        all->list.elems[modules->list.size] = internal;
        MsEval *ms;
        if ((r = ms_eval_modules(st, lib, all, sa, loc, &ms)) < 0)
                return r;
        Value *ext = ms_external("evaluation", ms);
        Symbol names[] = { ms_sym._type, ms_sym.config, ms_sym.options, ms_sym._module };
        Value *vals[] = {
                ms_string("configuration"),
                ms_app(ms_primop(&checked_config_op, 0, NULL), ext),
                ms->options,
                ms_app(ms_primop(&module_config_op, 0, NULL), ext),
        };
        *ret = *ms_attrs(4, names, vals);
        return 0;
}

static const PrimOp eval_modules_op = {
        .name = "evalModules", .arity = 1, .args = { "args" },
        .doc = "Evaluates a list of modules into { config; options; _module; } with NixOS semantics.",
        .fn = prim_eval_modules
};

static int prim_module_system(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        ms_symbols_init();
        Symbol names[] = { symbol_intern_str("evalModulesNative"), symbol_intern_str("types") };
        Value *vals[] = { ms_primop(&eval_modules_op, 0, NULL), ms_types_value(st) };
        *ret = *ms_attrs(2, names, vals);
        return 0;
}

const PrimOp module_system_primops[] = {
        { .name = "__firnModuleSystem", .arity = 0, .doc = "The native module system (see modules/lib).",
          .fn = prim_module_system },
        { 0 },
};
