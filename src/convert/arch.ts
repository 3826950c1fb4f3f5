/**
 * The checkpoint's optional `arch` entry: what the weights cannot say. Our trainer writes it
 * (training/trainer/checkpoint.py `arch_entry`) only for networks that differ from the original in
 * a way no key or shape shows; today one property, E_attr's activation. Official checkpoints have
 * no such entry. An entry this converter does not understand is refused: converting the weights
 * as if it were absent would build a different network than the one that was trained.
 */
import { ENC_A_ACTIVATIONS, type EncAActivation } from '../pack/manifest';
import { CheckpointError } from './errors';
import { PyDict, typeName, type PyValue } from './pickle';

export interface CheckpointArch {
  encAActivation: EncAActivation;
}

export function readArchEntry(root: PyValue): CheckpointArch {
  const arch: CheckpointArch = { encAActivation: 'relu' };
  const entry = root instanceof PyDict ? root.get('arch') : undefined;
  if (entry === undefined) return arch;
  if (!(entry instanceof PyDict)) throw new CheckpointError('BAD_STRUCTURE', `checkpoint['arch'] is of type ${typeName(entry)}, not a dict`);
  for (const [k, v] of entry.map) {
    if (k === 'enc_a_activation') {
      if (typeof v !== 'string' || !(ENC_A_ACTIVATIONS as readonly string[]).includes(v)) {
        const shown = typeof v === 'string' ? `'${v.slice(0, 40)}'` : `of type ${typeName(v)}`;
        throw new CheckpointError('UNKNOWN_VARIANT', `checkpoint['arch']['enc_a_activation'] is ${shown}; this converter knows ${ENC_A_ACTIVATIONS.join(', ')}`);
      }
      arch.encAActivation = v as EncAActivation;
    } else {
      const shown = typeof k === 'string' ? `'${k.slice(0, 40)}'` : `a key of type ${typeName(k)}`;
      throw new CheckpointError('UNKNOWN_VARIANT', `checkpoint['arch'] has ${shown}, which this converter does not know (it knows 'enc_a_activation'): the network it describes cannot be built`);
    }
  }
  return arch;
}
