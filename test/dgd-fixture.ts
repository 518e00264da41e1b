// A small DynamoGraphDeployment for tests (one frontend, one worker service of 2 replicas × 2 nodes × 4
// GPUs) and its engine ConfigMap, editable before they are written.
import { stringify } from 'yaml';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A small DGD: one frontend, one worker service (2 replicas × 2 nodes × 4 GPUs), its engine ConfigMap. */
export function fixture(edit: (dgd: Obj, engine: Obj, cm: Obj) => void = () => {}): Obj[] {
  const engine: Obj = { tensor_parallel_size: 8, moe_expert_parallel_size: 8, enable_attention_dp: true, max_batch_size: 8, max_seq_len: 20000, moe_config: { backend: 'TRTLLM' }, kv_cache_config: { tokens_per_block: 64, dtype: 'fp8' } };
  const dgd: Obj = {
    apiVersion: 'nvidia.com/v1alpha1',
    kind: 'DynamoGraphDeployment',
    metadata: { name: 'tiny' },
    spec: {
      services: {
        Frontend: { componentType: 'frontend', replicas: 1, extraPodSpec: { mainContainer: { command: ['python3', '-m', 'dynamo.frontend'], args: ['--router-mode', 'round-robin'] } } },
        worker: {
          componentType: 'worker',
          replicas: 2,
          resources: { limits: { gpu: '4' } },
          multinode: { nodeCount: 2 },
          extraPodSpec: {
            mainContainer: { command: ['python3', '-m', 'dynamo.trtllm'], args: ['--extra-engine-args', '/config/engine.yaml', '--kv-block-size', '64'], volumeMounts: [{ name: 'cfg', mountPath: '/config' }] },
            volumes: [{ name: 'cfg', configMap: { name: 'engine-cm' } }],
          },
        },
      },
    },
  };
  const cm: Obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'engine-cm' }, data: {} };
  edit(dgd, engine, cm);
  cm.data['engine.yaml'] ??= stringify(engine);
  return [dgd, cm];
}
