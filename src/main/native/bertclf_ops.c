/*
 * bert-clf's fused training kernels for TensorFlow's CPU runtime: GELU and its gradient, dropout (whose gradient
 * is dropout of the gradient, with the same mask), and layer normalisation and its gradient, each one pass over
 * memory where TensorFlow's ops take several.
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
 * Dropout draws each element's 16 random bits from a hash of its index and a 128-bit key (the graph's stateless
 * seed: run seed, step, op), so the mask is recomputed for the backward pass instead of kept in memory, and a
 * resumed run draws what an uninterrupted one draws. Elements 2j and 2j+1 take the low and high halves of the
 * hash of j (model.Dropout draws the same bits with TensorFlow ops, hashing each pair once). An element is kept
 * when its bits are at least `threshold` (the rate as a multiple of 1/65536) and then scaled by
 * 65536 / (65536 - threshold): threshold 0 is the identity.
 *
 * Ops: BertClfGelu(x: float) -> y; BertClfGeluGrad(dy: float, x: float) -> dx = dy * gelu'(x);
 * BertClfDropout(x: float, key: int64 [2], threshold: float scalar) -> y;
 * BertClfLayerNorm(x, gamma, beta, epsilon) -> y over x's last dimension (gamma's size), as model.BertModel's
 * layerNorm; BertClfLayerNormGrad(dy, x, gamma, epsilon) -> dx, dgamma, dbeta, the moments recomputed from x.
 * Built by Maven on Linux x86-64 when a C compiler is found (pom.xml, profile native-kernels); runtime.FusedKernels
 * loads it, and the training graph falls back to TensorFlow ops where it is absent.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sched.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <math.h>
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
static void (*TF_SetStatus)(TF_Status*, int, const char*);
static int (*TF_GetCode)(const TF_Status*);
static TF_OpDefinitionBuilder* (*TF_NewOpDefinitionBuilder)(const char*);
static void (*TF_OpDefinitionBuilderAddInput)(TF_OpDefinitionBuilder*, const char*);
static void (*TF_OpDefinitionBuilderAddOutput)(TF_OpDefinitionBuilder*, const char*);
static void (*TF_OpDefinitionBuilderSetShapeInferenceFunction)(TF_OpDefinitionBuilder*,
                                                               void (*)(TF_ShapeInferenceContext*, TF_Status*));
static void (*TF_RegisterOpDefinition)(TF_OpDefinitionBuilder*, TF_Status*);
static TF_ShapeHandle* (*TF_NewShapeHandle)(void);
static void (*TF_DeleteShapeHandle)(TF_ShapeHandle*);
static void (*TF_ShapeInferenceContextGetInput)(TF_ShapeInferenceContext*, int, TF_ShapeHandle*, TF_Status*);
static void (*TF_ShapeInferenceContextSetOutput)(TF_ShapeInferenceContext*, int, TF_ShapeHandle*, TF_Status*);
static TF_KernelBuilder* (*TF_NewKernelBuilder)(const char*, const char*, void* (*)(TF_OpKernelConstruction*),
                                                void (*)(void*, TF_OpKernelContext*), void (*)(void*));
static void (*TF_RegisterKernelBuilder)(const char*, TF_KernelBuilder*, TF_Status*);
static void (*TF_GetInput)(TF_OpKernelContext*, int, TF_Tensor**, TF_Status*);
static TF_Tensor* (*TF_AllocateOutput)(TF_OpKernelContext*, int, TF_DataType, const int64_t*, int, size_t, TF_Status*);
static void (*TF_OpKernelContext_Failure)(TF_OpKernelContext*, TF_Status*);
static void* (*TF_TensorData)(const TF_Tensor*);
static int64_t (*TF_TensorElementCount)(const TF_Tensor*);
static int (*TF_NumDims)(const TF_Tensor*);
static int64_t (*TF_Dim)(const TF_Tensor*, int);
static void (*TF_DeleteTensor)(TF_Tensor*);

/* Fills the pointers above; 0 if TensorFlow is not loaded or lacks one of them. */
#define BIND(name) if ((*(void**) &name = dlsym(tf, #name)) == NULL) return 0
static int bind_tensorflow(void) {
    void* tf = dlopen("libtensorflow_framework.so.2", RTLD_NOW | RTLD_NOLOAD);
    if (tf == NULL) return 0;
    BIND(TF_NewStatus);
    BIND(TF_DeleteStatus);
    BIND(TF_SetStatus);
    BIND(TF_GetCode);
    BIND(TF_NewOpDefinitionBuilder);
    BIND(TF_OpDefinitionBuilderAddInput);
    BIND(TF_OpDefinitionBuilderAddOutput);
    BIND(TF_OpDefinitionBuilderSetShapeInferenceFunction);
    BIND(TF_RegisterOpDefinition);
    BIND(TF_NewShapeHandle);
    BIND(TF_DeleteShapeHandle);
    BIND(TF_ShapeInferenceContextGetInput);
    BIND(TF_ShapeInferenceContextSetOutput);
    BIND(TF_NewKernelBuilder);
    BIND(TF_RegisterKernelBuilder);
    BIND(TF_GetInput);
    BIND(TF_AllocateOutput);
    BIND(TF_OpKernelContext_Failure);
    BIND(TF_TensorData);
    BIND(TF_TensorElementCount);
    BIND(TF_NumDims);
    BIND(TF_Dim);
    BIND(TF_DeleteTensor);
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

/* 32 well-mixed bits of a 32-bit word (Wellons' lowbias32 finaliser), in operations the compiler vectorizes. */
static inline uint32_t mix32(uint32_t h) {
    h ^= h >> 16;
    h *= 0x7feb352dU;
    h ^= h >> 15;
    h *= 0x846ca68bU;
    h ^= h >> 16;
    return h;
}

enum Kind { GELU, GELU_GRAD, DROPOUT, LAYER_NORM, LAYER_NORM_GRAD };

/* One part of one op's work: elements [from, to). */
typedef struct {
    enum Kind kind;
    const float* a; /* x, or dy for the gradients */
    const float* b; /* x for the gradients */
    const float* gamma;
    const float* beta;
    float* out;
    float* dgamma; /* LAYER_NORM_GRAD: this part's sums over its rows, width each */
    float* dbeta;
    int64_t width; /* layer norm: the normalised last dimension; its rows are the parts' units */
    float epsilon;
    uint32_t k0, k1, threshold;
    float scale;
    int64_t from, to;
} Job;

__attribute__((target_clones("avx512f", "avx2", "default")))
static void gelu(const float* x, float* y, int64_t from, int64_t to) {
    for (int64_t i = from; i < to; i++) {
        float v = x[i];
        float z = v * (C2 + C2K * v * v);
        y[i] = v / (1.f + exp_approx(-z));
    }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
static void gelu_grad(const float* dy, const float* x, float* dx, int64_t from, int64_t to) {
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

__attribute__((target_clones("avx512f", "avx2", "default")))
static void dropout(const float* x, float* y, int64_t from, int64_t to, uint32_t k0, uint32_t k1,
                    uint32_t threshold, float scale) {
    for (int64_t i = from; i < to; i++) {
        uint32_t word = mix32(mix32((uint32_t) (i >> 1) + k0) ^ k1);
        uint32_t bits = (i & 1) ? word >> 16 : word & 0xFFFFU;
        y[i] = bits >= threshold ? x[i] * scale : 0.f;
    }
}

/* The mean and 1 / sqrt(variance + epsilon) of one row, in double: rows of thousands of floats. */
static void row_moments(const float* x, int64_t width, float epsilon, float* mean, float* rstd) {
    double sum = 0, squares = 0;
    for (int64_t k = 0; k < width; k++) sum += x[k];
    double mu = sum / (double) width;
    for (int64_t k = 0; k < width; k++) squares += ((double) x[k] - mu) * ((double) x[k] - mu);
    *mean = (float) mu;
    *rstd = (float) (1.0 / sqrt(squares / (double) width + epsilon));
}

/* y = (x - mean) / sqrt(var + eps) * gamma + beta over each row of width elements, rows [from, to). */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void layer_norm(const Job* j) {
    for (int64_t r = j->from; r < j->to; r++) {
        const float* x = j->a + r * j->width;
        float* y = j->out + r * j->width;
        float mean, rstd;
        row_moments(x, j->width, j->epsilon, &mean, &rstd);
        for (int64_t k = 0; k < j->width; k++) y[k] = (x[k] - mean) * rstd * j->gamma[k] + j->beta[k];
    }
}

/* dx = rstd (g - mean(g) - xhat mean(g xhat)) with g = dy gamma; dgamma += dy xhat and dbeta += dy per column. */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void layer_norm_grad(const Job* j) {
    for (int64_t r = j->from; r < j->to; r++) {
        const float* dy = j->a + r * j->width;
        const float* x = j->b + r * j->width;
        float* dx = j->out + r * j->width;
        float mean, rstd;
        row_moments(x, j->width, j->epsilon, &mean, &rstd);
        double g_sum = 0, gx_sum = 0;
        for (int64_t k = 0; k < j->width; k++) {
            float xhat = (x[k] - mean) * rstd;
            float g = dy[k] * j->gamma[k];
            g_sum += g;
            gx_sum += g * xhat;
            j->dgamma[k] += dy[k] * xhat;
            j->dbeta[k] += dy[k];
        }
        float g_mean = (float) (g_sum / (double) j->width), gx_mean = (float) (gx_sum / (double) j->width);
        for (int64_t k = 0; k < j->width; k++) {
            float xhat = (x[k] - mean) * rstd;
            dx[k] = rstd * (dy[k] * j->gamma[k] - g_mean - xhat * gx_mean);
        }
    }
}

static void* run(void* p) {
    const Job* j = (const Job*) p;
    switch (j->kind) {
        case GELU: gelu(j->a, j->out, j->from, j->to); break;
        case GELU_GRAD: gelu_grad(j->a, j->b, j->out, j->from, j->to); break;
        case DROPOUT: dropout(j->a, j->out, j->from, j->to, j->k0, j->k1, j->threshold, j->scale); break;
        case LAYER_NORM: layer_norm(j); break;
        case LAYER_NORM_GRAD: layer_norm_grad(j); break;
    }
    return NULL;
}

/* Splits [0, n) units (elements, or rows for layer norm) over up to the cores this process may use, 16 at most
 * and 64 Ki elements a part at least, the calling thread taking the first part. TensorFlow's intra-op pool is not
 * reachable from the C API, so parts get threads of their own; starting one costs microseconds against the
 * milliseconds of a part. Layer norm's gradient sums its columns per part, then here. Returns 0 if memory ran
 * out. */
static int parallel(Job job, int64_t n) {
    /* the CPUs this process may run on (a container's or taskset's share), not all the machine has */
    cpu_set_t allowed;
    long cores = sched_getaffinity(0, sizeof allowed, &allowed) == 0 ? CPU_COUNT(&allowed)
                                                                     : sysconf(_SC_NPROCESSORS_ONLN);
    int64_t unit = job.width > 0 ? job.width : 1;
    int64_t parts = n * unit / 65536;
    if (parts > cores) parts = cores;
    if (parts > 16) parts = 16;
    if (parts < 1) parts = 1;
    Job jobs[16];
    pthread_t threads[16];
    int started[16] = {0};
    float* sums = NULL;
    if (job.kind == LAYER_NORM_GRAD) {
        sums = calloc((size_t) (2 * parts * job.width), sizeof(float));
        if (sums == NULL) return 0;
    }
    for (int64_t t = 0; t < parts; t++) {
        jobs[t] = job;
        jobs[t].from = n * t / parts;
        jobs[t].to = n * (t + 1) / parts;
        if (sums != NULL) {
            jobs[t].dgamma = sums + 2 * t * job.width;
            jobs[t].dbeta = jobs[t].dgamma + job.width;
        }
    }
    for (int64_t t = 1; t < parts; t++) started[t] = pthread_create(&threads[t], NULL, run, &jobs[t]) == 0;
    run(&jobs[0]);
    for (int64_t t = 1; t < parts; t++) {
        if (started[t]) pthread_join(threads[t], NULL);
        else run(&jobs[t]);
    }
    if (sums != NULL) {
        for (int64_t k = 0; k < job.width; k++) {
            float g = 0, b = 0;
            for (int64_t t = 0; t < parts; t++) {
                g += jobs[t].dgamma[k];
                b += jobs[t].dbeta[k];
            }
            job.dgamma[k] = g;
            job.dbeta[k] = b;
        }
        free(sums);
    }
    return 1;
}

static void same_shape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
    TF_ShapeHandle* h = TF_NewShapeHandle();
    TF_ShapeInferenceContextGetInput(ctx, 0, h, status);
    if (TF_GetCode(status) == 0) TF_ShapeInferenceContextSetOutput(ctx, 0, h, status);
    TF_DeleteShapeHandle(h);
}

/* dx as dy, dgamma and dbeta as gamma (input 2). */
static void layer_norm_grad_shape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
    TF_ShapeHandle* h = TF_NewShapeHandle();
    TF_ShapeInferenceContextGetInput(ctx, 0, h, status);
    if (TF_GetCode(status) == 0) TF_ShapeInferenceContextSetOutput(ctx, 0, h, status);
    if (TF_GetCode(status) == 0) TF_ShapeInferenceContextGetInput(ctx, 2, h, status);
    for (int i = 1; i < 3 && TF_GetCode(status) == 0; i++) TF_ShapeInferenceContextSetOutput(ctx, i, h, status);
    TF_DeleteShapeHandle(h);
}

/* The dropout key's two 32-bit halves, from the 128-bit stateless seed. */
static void dropout_key(const int64_t* seed, Job* job, const float* threshold) {
    uint64_t s0 = (uint64_t) seed[0], s1 = (uint64_t) seed[1];
    job->k0 = mix32((uint32_t) s0 ^ mix32((uint32_t) (s0 >> 32) + 0x9e3779b9U));
    job->k1 = mix32((uint32_t) s1 ^ mix32((uint32_t) (s1 >> 32) + 0x7f4a7c15U));
    float t = *threshold;
    job->threshold = t <= 0.f ? 0U : (t >= 65535.f ? 65535U : (uint32_t) t);
    job->scale = 65536.f / (float) (65536U - job->threshold);
}

/* The shape of t, at most 8 dimensions (bert-clf's graphs have 2 or 3; a flat count serves the kernels beyond). */
static int shape_of(const TF_Tensor* t, int64_t* dims) {
    int rank = TF_NumDims(t);
    if (rank > 8) {
        dims[0] = TF_TensorElementCount(t);
        return 1;
    }
    for (int i = 0; i < rank; i++) dims[i] = TF_Dim(t, i);
    return rank;
}

static void compute(TF_OpKernelContext* ctx, enum Kind kind) {
    static const int input_count[] = {1, 2, 3, 4, 4};
    TF_Status* status = TF_NewStatus();
    TF_Tensor* in[4] = {NULL, NULL, NULL, NULL};
    TF_Tensor* out[3] = {NULL, NULL, NULL};
    for (int i = 0; i < input_count[kind] && TF_GetCode(status) == 0; i++) TF_GetInput(ctx, i, &in[i], status);
    if (TF_GetCode(status) == 0) {
        /* the output has the shape of x: input 1 of the gradients, else input 0 */
        TF_Tensor* like = kind == GELU_GRAD || kind == LAYER_NORM_GRAD ? in[1] : in[0];
        int64_t dims[8] = {0};
        int rank = shape_of(like, dims);
        int64_t n = TF_TensorElementCount(like);
        Job job = {0};
        job.kind = kind;
        job.scale = 1.f;
        out[0] = TF_AllocateOutput(ctx, 0, TF_FLOAT, dims, rank, (size_t) n * sizeof(float), status);
        if (kind == LAYER_NORM || kind == LAYER_NORM_GRAD) {
            /* LAYER_NORM (x, gamma, beta, epsilon); LAYER_NORM_GRAD (dy, x, gamma, epsilon) */
            const TF_Tensor* gamma = kind == LAYER_NORM ? in[1] : in[2];
            job.width = TF_TensorElementCount(gamma);
            job.gamma = TF_TensorData(gamma);
            job.beta = kind == LAYER_NORM ? TF_TensorData(in[2]) : NULL;
            job.epsilon = *(const float*) TF_TensorData(in[3]);
            if (job.width < 1 || n % job.width != 0) {
                TF_SetStatus(status, 3 /* TF_INVALID_ARGUMENT */, "gamma's size does not divide x's");
            }
        }
        if (kind == LAYER_NORM_GRAD && TF_GetCode(status) == 0) {
            int64_t w[1] = {job.width};
            out[1] = TF_AllocateOutput(ctx, 1, TF_FLOAT, w, 1, (size_t) job.width * sizeof(float), status);
            if (TF_GetCode(status) == 0)
                out[2] = TF_AllocateOutput(ctx, 2, TF_FLOAT, w, 1, (size_t) job.width * sizeof(float), status);
        }
        if (TF_GetCode(status) == 0) {
            job.a = TF_TensorData(in[0]);
            job.b = kind == GELU_GRAD || kind == LAYER_NORM_GRAD ? TF_TensorData(in[1]) : NULL;
            job.out = TF_TensorData(out[0]);
            if (kind == DROPOUT) dropout_key(TF_TensorData(in[1]), &job, TF_TensorData(in[2]));
            if (kind == LAYER_NORM_GRAD) {
                job.dgamma = TF_TensorData(out[1]);
                job.dbeta = TF_TensorData(out[2]);
            }
            if (!parallel(job, job.width > 0 ? n / job.width : n)) {
                TF_SetStatus(status, 8 /* TF_RESOURCE_EXHAUSTED */, "no memory for layer norm's column sums");
            }
        }
    }
    if (TF_GetCode(status) != 0) TF_OpKernelContext_Failure(ctx, status);
    for (int i = 0; i < 4; i++) if (in[i] != NULL) TF_DeleteTensor(in[i]);
    for (int i = 0; i < 3; i++) if (out[i] != NULL) TF_DeleteTensor(out[i]);
    TF_DeleteStatus(status);
}

static void compute_gelu(void* kernel, TF_OpKernelContext* ctx) { (void) kernel; compute(ctx, GELU); }
static void compute_gelu_grad(void* kernel, TF_OpKernelContext* ctx) { (void) kernel; compute(ctx, GELU_GRAD); }
static void compute_dropout(void* kernel, TF_OpKernelContext* ctx) { (void) kernel; compute(ctx, DROPOUT); }
static void compute_layer_norm(void* kernel, TF_OpKernelContext* ctx) { (void) kernel; compute(ctx, LAYER_NORM); }
static void compute_layer_norm_grad(void* kernel, TF_OpKernelContext* ctx) {
    (void) kernel;
    compute(ctx, LAYER_NORM_GRAD);
}

static void define_op(const char* name, const char* const* inputs, const char* const* outputs,
                      void (*shape)(TF_ShapeInferenceContext*, TF_Status*),
                      void (*compute_fn)(void*, TF_OpKernelContext*),
                      TF_Status* status) {
    TF_OpDefinitionBuilder* op = TF_NewOpDefinitionBuilder(name);
    for (int i = 0; inputs[i] != NULL; i++) TF_OpDefinitionBuilderAddInput(op, inputs[i]);
    for (int i = 0; outputs[i] != NULL; i++) TF_OpDefinitionBuilderAddOutput(op, outputs[i]);
    TF_OpDefinitionBuilderSetShapeInferenceFunction(op, shape);
    TF_RegisterOpDefinition(op, status);
    if (TF_GetCode(status) == 0) {
        TF_RegisterKernelBuilder(name, TF_NewKernelBuilder(name, "CPU", NULL, compute_fn, NULL), status);
    }
}

/* Registers the ops and their CPU kernels when TensorFlow loads the library; an op whose registration fails is
 * simply absent, and runtime.FusedKernels then leaves the kernels unused. */
__attribute__((constructor)) static void register_ops(void) {
    if (!bind_tensorflow()) return;
    static const char* const y[] = {"y: float", NULL};
    static const char* const gelu_in[] = {"x: float", NULL};
    static const char* const gelu_grad_in[] = {"dy: float", "x: float", NULL};
    static const char* const dropout_in[] = {"x: float", "key: int64", "threshold: float", NULL};
    static const char* const ln_in[] = {"x: float", "gamma: float", "beta: float", "epsilon: float", NULL};
    static const char* const ln_grad_in[] = {"dy: float", "x: float", "gamma: float", "epsilon: float", NULL};
    static const char* const ln_grad_out[] = {"dx: float", "dgamma: float", "dbeta: float", NULL};
    TF_Status* status = TF_NewStatus();
    define_op("BertClfGelu", gelu_in, y, same_shape, compute_gelu, status);
    define_op("BertClfGeluGrad", gelu_grad_in, y, same_shape, compute_gelu_grad, status);
    define_op("BertClfDropout", dropout_in, y, same_shape, compute_dropout, status);
    define_op("BertClfLayerNorm", ln_in, y, same_shape, compute_layer_norm, status);
    define_op("BertClfLayerNormGrad", ln_grad_in, ln_grad_out, layer_norm_grad_shape, compute_layer_norm_grad, status);
    TF_DeleteStatus(status);
}
