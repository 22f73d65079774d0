export { FakeClock } from './clock.js';
export { FakeNet, type FakeNetAnswer, type FakeNetCall } from './net.js';
export { FakeDocker, type FakeExecAnswer } from './docker.js';
export { FakeServiceRuntime, type FakeServiceScript } from './scheduler-runtime.js';
export { dockerRuntimes } from './docker-runtimes.js';
export { FakeReplicaRuntime, type FakeRun, type FakeRuntimeCall } from './replica-runtime.js';
