/*
 * bert-clf's fused training kernels for TensorFlow's CPU runtime: GELU and its gradient, each one pass over memory.
 *
 * Why hand-written C: a training step's GELU, as TensorFlow ops, is six passes over the [tokens, intermediate]
 * activations forward and about ten backward (the gradient TensorFlow derives op by op); at L-4 H-512 that costs
 * about 7% of an fp32 step on a 2-core CPU. TensorFlow fuses such chains only in XLA (measured slower here) and
 * ships no GELU kernel with a gradient; no library on Maven Central supplies one. TensorFlow's C kernel API
 * (tensorflow/c/kernels.h, ops.h), exported by the libtensorflow_framework.so.2 that TensorFlow Java loads, lets a
 * small shared library add them.
 *
 * The function computed is the one the training graph otherwise builds (model.Activations.geluSigmoidForm):
 * GELU's tanh approximation as x * sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3)), with e^x from a polynomial that the
 * compiler vectorizes (a few float ulp). The library links against nothing of TensorFlow: it looks up the C API in
 * the framework library the process has already loaded, so it loads beside any TensorFlow Java build of the same
 * C API, and registers its ops from a constructor when TensorFlow loads it (TF_LoadLibrary).
 *
 * Ops: BertClfGelu(x: float) -> y; BertClfGeluGrad(dy: float, x: float) -> dx = dy * gelu'(x).
 * Built by Maven on Linux x86-64 when a C compiler is found (pom.xml, profile native-kernels); runtime.FusedKernels
 * loads it, and the training graph falls back to TensorFlow ops where it is absent.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

/* The C API's opaque types and the one data type used; declared here as TensorFlow's headers declare them (the
 * headers are not shipped with TensorFlow Java). */
typedef struct TF_Status TF_Status;
typedef struct TF_Tensor TF_Tensor;
typedef struct TF_OpDefinitionBuilder TF_OpDefinitionBuilder;
typedef struct TF_ShapeInferenceContext TF_ShapeInferenceContext;
typedef struct TF_ShapeHandle TF_ShapeHandle;
typedef struct TF_KernelBuilder TF_KernelBuilder;
typedef struct TF_OpKernelConstruction TF_OpKernelConstruction;
typedef struct TF_OpKernelContext TF_OpKernelContext;
typedef int TF_DataType; /* an enum in TensorFlow's headers */
enum { TF_FLOAT = 1 };

/* TensorFlow's C API, looked up in the libtensorflow_framework.so.2 the process has already loaded. */
static TF_Status* (*TF_NewStatus)(void);
static void (*TF_DeleteStatus)(TF_Status*);
static int (*TF_GetCode)(const TF_Status*);
static TF_OpDefinitionBuilder* (*TF_NewOpDefinitionBuilder)(const char*);
static void (*TF_OpDefinitionBuilderAddInput)(TF_OpDefinitionBuilder*, const char*);
static void (*TF_OpDefinitionBuilderAddOutput)(TF_OpDefinitionBuilder*, const char*);
static void (*TF_OpDefinitionBuilderSetShapeInferenceFunction)(TF_OpDefinitionBuilder*, void (*)(TF_ShapeInferenceContext*, TF_Status*));
static void (*TF_RegisterOpDefinition)(TF_OpDefinitionBuilder*, TF_Status*);
static TF_ShapeHandle* (*TF_NewShapeHandle)(void);
static void (*TF_DeleteShapeHandle)(TF_ShapeHandle*);
static void (*TF_ShapeInferenceContextGetInput)(TF_ShapeInferenceContext*, int, TF_ShapeHandle*, TF_Status*);
static void (*TF_ShapeInferenceContextSetOutput)(TF_ShapeInferenceContext*, int, TF_ShapeHandle*, TF_Status*);
static TF_KernelBuilder* (*TF_NewKernelBuilder)(const char*, const char*, void* (*)(TF_OpKernelConstruction*), void (*)(void*, TF_OpKernelContext*), void (*)(void*));
static void (*TF_RegisterKernelBuilder)(const char*, TF_KernelBuilder*, TF_Status*);
static void (*TF_GetInput)(TF_OpKernelContext*, int, TF_Tensor**, TF_Status*);
static TF_Tensor* (*TF_AllocateOutput)(TF_OpKernelContext*, int, TF_DataType, const int64_t*, int, size_t, TF_Status*);
static void (*TF_OpKernelContext_Failure)(TF_OpKernelContext*, TF_Status*);
static void* (*TF_TensorData)(const TF_Tensor*);
static int64_t (*TF_TensorElementCount)(const TF_Tensor*);
static int (*TF_NumDims)(const TF_Tensor*);
static int64_t (*TF_Dim)(const TF_Tensor*, int);
static void (*TF_DeleteTensor)(TF_Tensor*);

static int bind_tensorflow(void) {
    void* tf = dlopen("libtensorflow_framework.so.2", RTLD_NOW | RTLD_NOLOAD);
    if (tf == NULL) return 0;
    if ((*(void**) &TF_NewStatus = dlsym(tf, "TF_NewStatus")) == NULL) return 0;
    if ((*(void**) &TF_DeleteStatus = dlsym(tf, "TF_DeleteStatus")) == NULL) return 0;
    if ((*(void**) &TF_GetCode = dlsym(tf, "TF_GetCode")) == NULL) return 0;
    if ((*(void**) &TF_NewOpDefinitionBuilder = dlsym(tf, "TF_NewOpDefinitionBuilder")) == NULL) return 0;
    if ((*(void**) &TF_OpDefinitionBuilderAddInput = dlsym(tf, "TF_OpDefinitionBuilderAddInput")) == NULL) return 0;
    if ((*(void**) &TF_OpDefinitionBuilderAddOutput = dlsym(tf, "TF_OpDefinitionBuilderAddOutput")) == NULL) return 0;
    if ((*(void**) &TF_OpDefinitionBuilderSetShapeInferenceFunction = dlsym(tf, "TF_OpDefinitionBuilderSetShapeInferenceFunction")) == NULL) return 0;
    if ((*(void**) &TF_RegisterOpDefinition = dlsym(tf, "TF_RegisterOpDefinition")) == NULL) return 0;
    if ((*(void**) &TF_NewShapeHandle = dlsym(tf, "TF_NewShapeHandle")) == NULL) return 0;
    if ((*(void**) &TF_DeleteShapeHandle = dlsym(tf, "TF_DeleteShapeHandle")) == NULL) return 0;
    if ((*(void**) &TF_ShapeInferenceContextGetInput = dlsym(tf, "TF_ShapeInferenceContextGetInput")) == NULL) return 0;
    if ((*(void**) &TF_ShapeInferenceContextSetOutput = dlsym(tf, "TF_ShapeInferenceContextSetOutput")) == NULL) return 0;
    if ((*(void**) &TF_NewKernelBuilder = dlsym(tf, "TF_NewKernelBuilder")) == NULL) return 0;
    if ((*(void**) &TF_RegisterKernelBuilder = dlsym(tf, "TF_RegisterKernelBuilder")) == NULL) return 0;
    if ((*(void**) &TF_GetInput = dlsym(tf, "TF_GetInput")) == NULL) return 0;
    if ((*(void**) &TF_AllocateOutput = dlsym(tf, "TF_AllocateOutput")) == NULL) return 0;
    if ((*(void**) &TF_OpKernelContext_Failure = dlsym(tf, "TF_OpKernelContext_Failure")) == NULL) return 0;
    if ((*(void**) &TF_TensorData = dlsym(tf, "TF_TensorData")) == NULL) return 0;
    if ((*(void**) &TF_TensorElementCount = dlsym(tf, "TF_TensorElementCount")) == NULL) return 0;
    if ((*(void**) &TF_NumDims = dlsym(tf, "TF_NumDims")) == NULL) return 0;
    if ((*(void**) &TF_Dim = dlsym(tf, "TF_Dim")) == NULL) return 0;
    if ((*(void**) &TF_DeleteTensor = dlsym(tf, "TF_DeleteTensor")) == NULL) return 0;
    return 1;
}

#define C2 1.5957691216057308f       /* 2 sqrt(2/pi) */
#define C2K (1.5957691216057308f * 0.044715f)

/* e^x for x in [-87, 88], a few ulp, written so that the compiler vectorizes it. */
static inline float exp_approx(float x) {
    x = x < -87.f ? -87.f : (x > 88.f ? 88.f : x);
    float k = __builtin_floorf(x * 1.44269504088896341f + 0.5f);
    float r = x - k * 0.693359375f + k * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.f;
    int32_t bits = ((int32_t) k + 127) << 23;
    float scale;
    __builtin_memcpy(&scale, &bits, 4);
    return p * scale;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
static void gelu_range(const float* x, float* y, int64_t from, int64_t to) {
    for (int64_t i = from; i < to; i++) {
        float v = x[i];
        float z = v * (C2 + C2K * v * v);
        y[i] = v / (1.f + exp_approx(-z));
    }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
static void gelu_grad_range(const float* dy, const float* x, float* dx, int64_t from, int64_t to) {
    for (int64_t i = from; i < to; i++) {
        float v = x[i];
        float z = v * (C2 + C2K * v * v);
        float e = exp_approx(-z);
        float s = 1.f / (1.f + e);
        float dz = C2 + 3.f * C2K * v * v;
        /* sigmoid' = s (1 - s) = (e s) s: no cancellation where s rounds to 1, and e s <= 1 cannot overflow */
        float es = e * s;
        dx[i] = dy[i] * (s + v * (es * s) * dz);
    }
}

typedef struct { const float* a; const float* b; float* out; int64_t from, to; int grad; } Chunk;

static void* run_chunk(void* p) {
    Chunk* c = (Chunk*) p;
    if (c->grad) gelu_grad_range(c->a, c->b, c->out, c->from, c->to);
    else gelu_range(c->a, c->out, c->from, c->to);
    return NULL;
}

/* Splits [0, n) over up to the machine's cores (16 at most; 64 Ki elements a part at least), the calling thread
 * taking the first part. TensorFlow's intra-op pool is not reachable from the C API, so parts get threads of their
 * own; starting one costs microseconds against the milliseconds of a part. */
static void parallel(const float* a, const float* b, float* out, int64_t n, int grad) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int64_t parts = n / 65536;
    if (parts > cores) parts = cores;
    if (parts > 16) parts = 16;
    if (parts < 1) parts = 1;
    Chunk chunks[16];
    pthread_t threads[16];
    int started[16] = {0};
    for (int64_t t = 0; t < parts; t++) {
        int64_t from = n * t / parts, to = n * (t + 1) / parts;
        from -= from % 16; if (t == parts - 1) to = n; else to -= to % 16;
        chunks[t] = (Chunk) {a, b, out, from, to, grad};
    }
    for (int64_t t = 1; t < parts; t++) started[t] = pthread_create(&threads[t], NULL, run_chunk, &chunks[t]) == 0;
    run_chunk(&chunks[0]);
    for (int64_t t = 1; t < parts; t++) {
        if (started[t]) pthread_join(threads[t], NULL); else run_chunk(&chunks[t]);
    }
}

static void same_shape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
    TF_ShapeHandle* h = TF_NewShapeHandle();
    TF_ShapeInferenceContextGetInput(ctx, 0, h, status);
    if (TF_GetCode(status) == 0) TF_ShapeInferenceContextSetOutput(ctx, 0, h, status);
    TF_DeleteShapeHandle(h);
}

static void compute(TF_OpKernelContext* ctx, int grad) {
    TF_Status* status = TF_NewStatus();
    TF_Tensor *a = NULL, *b = NULL, *out = NULL;
    TF_GetInput(ctx, 0, &a, status);
    if (TF_GetCode(status) == 0 && grad) TF_GetInput(ctx, 1, &b, status);
    if (TF_GetCode(status) == 0) {
        int64_t dims[8] = {0};
        int rank = TF_NumDims(a);
        if (rank > 8) rank = 0; /* never in the graphs bert-clf builds; one flat element count serves the kernel */
        for (int i = 0; i < rank; i++) dims[i] = TF_Dim(a, i);
        if (rank == 0 && TF_NumDims(a) > 8) {
            dims[0] = TF_TensorElementCount(a);
            rank = 1;
        }
        int64_t n = TF_TensorElementCount(a);
        out = TF_AllocateOutput(ctx, 0, TF_FLOAT, dims, rank, (size_t) n * 4, status);
        if (TF_GetCode(status) == 0)
            parallel(TF_TensorData(a), grad ? TF_TensorData(b) : NULL, TF_TensorData(out), n, grad);
    }
    if (TF_GetCode(status) != 0) TF_OpKernelContext_Failure(ctx, status);
    if (a) TF_DeleteTensor(a);
    if (b) TF_DeleteTensor(b);
    if (out) TF_DeleteTensor(out);
    TF_DeleteStatus(status);
}

static void compute_gelu(void* kernel, TF_OpKernelContext* ctx) { (void) kernel; compute(ctx, 0); }
static void compute_gelu_grad(void* kernel, TF_OpKernelContext* ctx) { (void) kernel; compute(ctx, 1); }

__attribute__((constructor)) static void register_ops(void) {
    if (!bind_tensorflow()) return;
    TF_Status* status = TF_NewStatus();
    TF_OpDefinitionBuilder* op = TF_NewOpDefinitionBuilder("BertClfGelu");
    TF_OpDefinitionBuilderAddInput(op, "x: float");
    TF_OpDefinitionBuilderAddOutput(op, "y: float");
    TF_OpDefinitionBuilderSetShapeInferenceFunction(op, same_shape);
    TF_RegisterOpDefinition(op, status);
    op = TF_NewOpDefinitionBuilder("BertClfGeluGrad");
    TF_OpDefinitionBuilderAddInput(op, "dy: float");
    TF_OpDefinitionBuilderAddInput(op, "x: float");
    TF_OpDefinitionBuilderAddOutput(op, "dx: float");
    TF_OpDefinitionBuilderSetShapeInferenceFunction(op, same_shape);
    TF_RegisterOpDefinition(op, status);
    TF_RegisterKernelBuilder("BertClfGeluOp", TF_NewKernelBuilder("BertClfGelu", "CPU", NULL, compute_gelu, NULL), status);
    TF_RegisterKernelBuilder("BertClfGeluGradOp",
        TF_NewKernelBuilder("BertClfGeluGrad", "CPU", NULL, compute_gelu_grad, NULL), status);
    TF_DeleteStatus(status);
}
