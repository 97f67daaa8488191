/* One finding per file and family: this file's two statements are one finding with count 2. */
void pause_cpu(void) {
    // ruleid: c-inline-asm
    asm volatile ("pause");
    __asm ("pause");
}
