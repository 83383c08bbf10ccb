// DecodeBackend on the GPU model: the engine of engine/engine.h runs unchanged on the device.
// Greedy picks use the argmax computed inside every forward (no extra launch); other picks run
// the sampling kernel on the device (model_kernels.h). One run at a time per model.
#pragma once

#include <memory>

#include "engine/decode_backend.h"
#include "gpu_model.h"

namespace aspd {

// Borrows the model; its config reports the context as min(max_positions, cache capacity).
std::unique_ptr<DecodeBackend> make_gpu_backend(GpuModel* model);

}  // namespace aspd
