// The graph IR: tensors with static NCHW shapes and the ops that produce them, in execution order. Each node
// holds its op's definition (kernels/op.ts), which infers the output shape as the node is added and fails
// with the node's name and the shapes involved.
import { type Shape4 } from '../kernels/layout.js';
import type { OpDef } from '../kernels/op.js';

export type TensorId = number;

export interface Node<A = unknown> {
  op: OpDef<A>;
  attrs: A;
  name: string;
  inputs: TensorId[];
  output: TensorId;
}

/** Whether `n` runs `op` (and so has its attributes). */
export const isOp = <A>(n: Node | undefined, op: OpDef<A>): n is Node<A> => n?.op === (op as OpDef<unknown>);

export interface TensorInfo {
  id: TensorId;
  shape: Shape4;
  /** the node that computes it; undefined for graph inputs */
  producer?: Node;
}

export class Graph {
  readonly tensors: TensorInfo[] = [];
  nodes: Node[] = [];
  readonly inputs = new Map<string, TensorId>();
  readonly outputs = new Map<string, TensorId>();

  shape(t: TensorId): Shape4 {
    const info = this.tensors[t];
    if (!info) throw new Error(`tensor ${t} does not exist`);
    return info.shape;
  }

  input(name: string, shape: Shape4): TensorId {
    if (this.inputs.has(name)) throw new Error(`graph input '${name}' defined twice`);
    const id = this.newTensor(shape);
    this.inputs.set(name, id);
    return id;
  }

  output(name: string, t: TensorId): void {
    if (this.outputs.has(name)) throw new Error(`graph output '${name}' defined twice`);
    this.shape(t);
    this.outputs.set(name, t);
  }

  /** Appends a node running `op` on `inputs`; returns its output tensor. */
  add<A>(op: OpDef<A>, name: string, inputs: TensorId[], attrs: A): TensorId {
    const shape = op.shape(
      attrs,
      inputs.map((t) => this.shape(t)),
      name,
    );
    const node = { op, attrs, name, inputs, output: -1 } as Node<A>;
    node.output = this.newTensor(shape, node);
    this.nodes.push(node);
    return node.output;
  }

  /** Like add(), but the node runs right after `anchor`. */
  insertAfter<A>(anchor: Node, op: OpDef<A>, name: string, inputs: TensorId[], attrs: A): TensorId {
    const t = this.add(op, name, inputs, attrs);
    const node = this.nodes.pop()!;
    this.nodes.splice(this.nodes.indexOf(anchor) + 1, 0, node);
    return t;
  }

  /** Nodes that read tensor t. */
  consumers(t: TensorId): Node[] {
    return this.nodes.filter((n) => n.inputs.includes(t));
  }

  isOutput(t: TensorId): boolean {
    return [...this.outputs.values()].includes(t);
  }

  /** Redirects every reader of `from` (nodes and graph outputs) to `to`. */
  replaceUses(from: TensorId, to: TensorId): void {
    for (const n of this.nodes) n.inputs = n.inputs.map((t) => (t === from ? to : t));
    for (const [k, t] of this.outputs) if (t === from) this.outputs.set(k, to);
  }

  private newTensor(shape: Shape4, producer?: Node): TensorId {
    const id = this.tensors.length;
    this.tensors.push({ id, shape, producer });
    return id;
  }
}
