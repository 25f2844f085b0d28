// Public API of the weights layer: reading checkpoints and the engine's own weight file.
export type { Dtype, HostTensor, StateDict } from './tensor.js';
export { MAX_TENSOR_ELEMENTS } from './tensor.js';
export { readPth } from './pth.js';
export { readSafetensors } from './safetensors.js';
export { assertModelValues, readCheckpoint, readModelCheckpoint, sniffCheckpoint, type CheckpointFormat } from './load-checkpoint.js';
export { cleanStateDict, DEFAULT_IGNORED_KEYS, DATA_PARALLEL_PREFIX } from './clean.js';
export { assertFinite, firstNonFinite } from './finite.js';
export {
  decodeWeightFile,
  encodeWeightFile,
  isWeightFile,
  WEIGHT_FILE_ALIGN,
  WEIGHT_FILE_MAGIC,
  WEIGHT_FILE_VERSION,
  type DecodedWeightFile,
  type WeightFileDtype,
  type WeightFileTensorInput,
} from './engine-file.js';
export { loadSourceBytes, loadWeightFile, sourceName, type WeightFileSource } from './load-weight-file.js';
export type { ProgressCallback } from './fetch-bytes.js';
export { floatToHalfBits, HALF_MAX, halfBitsToFloat, isHalfFinite } from './f16.js';
export { unpickle, PICKLE_LIMITS, type UnpickleHooks } from './pickle.js';
