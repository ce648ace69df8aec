#include <string.h>

#include "builtin-builders.h"

int builtin_fetchurl(const BuiltinContext *ctx, char **ret_error);
int builtin_buildenv(const BuiltinContext *ctx, char **ret_error);

static const struct {
        const char *name;
        BuiltinBuilderFn fn;
} registry[] = {
        { "builtin:fetchurl", builtin_fetchurl },
        { "builtin:buildenv", builtin_buildenv },
};

BuiltinBuilderFn builtin_builder_find(const char *builder) {
        for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
                if (strcmp(builder, registry[i].name) == 0)
                        return registry[i].fn;
        return NULL;
}

const char *builtin_output_dir(const BuiltinContext *ctx, const char *name) {
        for (size_t i = 0; i < ctx->drv->n_outputs; i++)
                if (strcmp(ctx->drv->outputs[i].name, name) == 0)
                        return ctx->output_dirs[i];
        return NULL;
}
