export { loadProject, type LoadOptions, type LoadResult } from './load.js';
export { toComposeCanonical } from './canonical.js';
export { memoryFs, type ProjectFs } from './fs.js';
export { interpolate, type InterpolationResult, type Lookup } from './interpolate.js';
export { PROJECT_FILE_NAMES } from './discover.js';
export { formatDuration, parseDuration } from './normalize/values.js';
