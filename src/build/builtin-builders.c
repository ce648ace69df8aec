#include <errno.h>
#include <string.h>

#include "builtin-builders.h"
#include "builtin-initrd.h"
#include "builtin-write-file.h"

int builtin_fetchurl(const BuiltinContext *ctx, char **ret_error);
int builtin_buildenv(const BuiltinContext *ctx, char **ret_error);

static const struct {
        const char *name;
        BuiltinBuilderFn fn;
} registry[] = {
        { "builtin:fetchurl", builtin_fetchurl },
        { "builtin:buildenv", builtin_buildenv },
        { "builtin:write-file", builtin_write_file },
        { "builtin:link-farm", builtin_link_farm },
        { "builtin:initrd", builtin_initrd },
};

/* Builders of the layers above build (Debian's), added at start-up. */
#define EXTRA_MAX 16
static struct {
        const char *name;
        BuiltinBuilderFn fn;
} extra[EXTRA_MAX];
static size_t n_extra;

int builtin_builder_register(const char *name, BuiltinBuilderFn fn) {
        if (builtin_builder_find(name))
                return -EEXIST;
        if (n_extra == EXTRA_MAX)
                return -ENOSPC;
        extra[n_extra].name = name;
        extra[n_extra++].fn = fn;
        return 0;
}

BuiltinBuilderFn builtin_builder_find(const char *builder) {
        for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
                if (strcmp(builder, registry[i].name) == 0)
                        return registry[i].fn;
        for (size_t i = 0; i < n_extra; i++)
                if (strcmp(builder, extra[i].name) == 0)
                        return extra[i].fn;
        return NULL;
}

const char *builtin_output_dir(const BuiltinContext *ctx, const char *name) {
        for (size_t i = 0; i < ctx->drv->n_outputs; i++)
                if (strcmp(ctx->drv->outputs[i].name, name) == 0)
                        return ctx->output_dirs[i];
        return NULL;
}
