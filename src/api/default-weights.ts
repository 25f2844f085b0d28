// The model that ships with the package, used whenever no --weights / weights argument is given.
export const DEFAULT_WEIGHTS_FILE = 'weights/pranet-kvasir-compact.f16.pnw';
