#include "big-stack.h"

#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "gc-alloc.h"

#define BIG_STACK_SIZE ((size_t) 1 << 30)

static struct {
        ucontext_t caller, callee;
        int (*fn)(int, char **);
        int argc;
        char **argv;
        int result;
        struct GC_stack_base old_bottom, new_bottom;
} big;

static void *set_bottom(void *sb) {
        GC_set_stackbottom(NULL, sb);
        return NULL;
}

static void trampoline(void) {
        big.result = big.fn(big.argc, big.argv);
}

int run_on_big_stack(int (*fn)(int argc, char **argv), int argc, char **argv, int *ret_result) {
        char *stack = mmap(NULL, BIG_STACK_SIZE, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
        if (stack == MAP_FAILED)
                return -errno;
        /* The lowest page stays inaccessible: running off the end faults
         * instead of writing into whatever lies below. */
        (void) mprotect(stack, 4096, PROT_NONE);
        if (getcontext(&big.callee) < 0) {
                int r = -errno;
                munmap(stack, BIG_STACK_SIZE);
                return r;
        }
        big.callee.uc_stack.ss_sp = stack;
        big.callee.uc_stack.ss_size = BIG_STACK_SIZE;
        big.callee.uc_link = &big.caller;
        big.fn = fn;
        big.argc = argc;
        big.argv = argv;
        makecontext(&big.callee, trampoline, 0);

        /* The collector scans the stack between its bottom and the current
         * stack pointer: point it at the new stack while fn runs there. */
        GC_get_my_stackbottom(&big.old_bottom);
        big.new_bottom.mem_base = stack + BIG_STACK_SIZE;
        GC_call_with_alloc_lock(set_bottom, &big.new_bottom);
        int r = swapcontext(&big.caller, &big.callee);
        GC_call_with_alloc_lock(set_bottom, &big.old_bottom);
        if (r < 0)
                return -errno;
        *ret_result = big.result;
        return 0;
}
