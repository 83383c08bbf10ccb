// DecodeBackend on the CPU model: model_decode into a fresh KvCache per run, host sampling.
#pragma once

#include <memory>

#include "engine/decode_backend.h"
#include "model/model.h"

namespace aspd {

std::unique_ptr<DecodeBackend> make_cpu_backend(const Model& model);

}  // namespace aspd
