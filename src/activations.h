/* activations: element-wise nonlinearities shared by the layers. */
#ifndef SEQTRANS_ACTIVATIONS_H
#define SEQTRANS_ACTIVATIONS_H
#include <math.h>

static inline float sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

/* y = tanh(x) over n floats. */
static inline void tanh_inplace(float *x, long n)
{
    for (long i = 0; i < n; i++) x[i] = tanhf(x[i]);
}

#endif
