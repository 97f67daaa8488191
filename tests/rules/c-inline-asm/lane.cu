/* Inline assembly in CUDA is PTX for the GPU. */
__device__ unsigned lane_id(void) {
    unsigned id;
    // ok: c-inline-asm
    asm volatile("mov.u32 %0, %%laneid;" : "=r"(id));
    return id;
}
