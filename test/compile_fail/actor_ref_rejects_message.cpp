// Placeholder: must fail to compile.
static_assert(false);
