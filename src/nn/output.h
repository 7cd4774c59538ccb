/* output: the linear layer over the target vocabulary fused with softmax cross-entropy.
 *   logits = x Wo + bo;  loss = -(1 - eps) log p_y - eps/V sum_v log p_v  (label smoothing)
 * Only real target positions are passed in (padding is compacted away by the caller). */
#ifndef SEQTRANS_OUTPUT_H
#define SEQTRANS_OUTPUT_H

typedef struct {
    double loss; /* summed label-smoothed loss */
    double nll;  /* summed -log p_y, for perplexity */
} output_loss;

/* x: [N x H], wo: [H x V], bo: [V], targets: [N]. Leaves in logits [N x V] the gradient of
 * grad_scale * loss with respect to the logits. */
output_loss output_forward_loss(const float *wo, const float *bo, const float *x, int N, int H,
                                int V, const int *targets, float smoothing, float grad_scale,
                                float *logits);

/* From dlogits [N x V]: adds dWo, dbo, and writes dx [N x H] (overwritten). */
void output_backward(const float *wo, float *dwo, float *dbo, const float *x, int N, int H,
                     int V, const float *dlogits, float *dx);

/* logits = x Wo + bo for N rows. */
void output_logits(const float *wo, const float *bo, const float *x, int N, int H, int V, float *logits);

#endif
