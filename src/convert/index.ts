export { convertCheckpoint, CONVERTER_ID, type ConvertOptions, type ConvertReport, type ConvertResult } from './convert';
export { CheckpointError, LayoutError, PickleError, type CheckpointErrorCode, type MisshapedKey } from './errors';
export {
  DRIT_MODULES,
  detectVariant,
  expectedKeys,
  inferArchitecture,
  mapDritLayout,
  toPackLayout,
  zeroEraKey,
  type ArchitectureShape,
  type DritModule,
  type DritStateDicts,
  type KeySpec,
  type LayoutOptions,
  type LayoutResult,
  type WeightKind,
} from './layout';
export {
  PICKLE_GLOBAL_ALLOW_LIST,
  PyDict,
  PyGlobal,
  PyTuple,
  StorageRef,
  TensorRef,
  unpickle,
  type PyValue,
  type TorchDtype,
  type UnpickleOptions,
  type UnpickleResult,
} from './pickle';
export { detectFormat, readPth, type CheckpointFormat, type PthCheckpoint, type ReadPthOptions, type StateDict, type Tensor } from './pth';
