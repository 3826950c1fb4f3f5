/**
 * Content-image actions: a dropped, picked or pasted photo (or the shipped example), its crop,
 * and the routing of dropped files. Reset rule: a new photo drops the crop, the model input and
 * the output (they belonged to the old photo).
 */
import type { CropBox } from '../../worker/protocol';
import { decode, downscaleNotice, isCheckpointName, releaseSlot } from '../images';
import { setReferenceFile } from '../reference';
import { restoreFromResult } from '../result-png';
import { getState, setState } from '../store';
import { isVideoFile } from '../../export/video-plan';
import { translateVideo } from '../video/actions';
import { clearError, showError } from '../worker-handle';
import { setDirection } from './attributes';
import { convertFile } from './model';

export async function setContentFile(file: Blob, name = (file as File).name || 'pasted image'): Promise<void> {
  clearError();
  if (isCheckpointName(name)) return convertFile(file, name);
  try {
    const slot = await decode(file, name);
    releaseSlot(getState().content);
    const notice = downscaleNotice(slot);
    setState({ content: slot, crop: null, modelInput: null, output: null, ...(notice ? { notice } : {}) });
  } catch (e) {
    showError(e);
  }
}

/** The example photo shipped with the app (public/examples, CC0): a first visit needs no photo of its own. */
export const EXAMPLE = { path: 'examples/chelsea.png', name: 'chelsea.png', domain: 'cat' } as const;

/** "Try an example": loads Chelsea the cat as the content image, turning the direction so a cat is the source. */
export async function loadExample(): Promise<void> {
  clearError();
  try {
    const res = await fetch(`${import.meta.env.BASE_URL}${EXAMPLE.path}`);
    if (!res.ok) throw new Error(`The example photo could not be loaded (${EXAMPLE.path}: HTTP ${res.status})`);
    const blob = await res.blob();
    const domains = getState().model?.domains;
    if (domains?.a === EXAMPLE.domain && getState().direction !== 'a2b') setDirection('a2b');
    else if (domains?.b === EXAMPLE.domain && getState().direction !== 'b2a') setDirection('b2a');
    await setContentFile(blob, EXAMPLE.name);
  } catch (e) {
    showError(e);
  }
}

export function setCrop(crop: CropBox | null): void {
  setState({ crop });
}

/** Drops or picks: images go to `target`, videos get translated, checkpoints get converted, result PNGs restore their settings. */
export async function handleFiles(files: readonly File[], target: 'content' | 'reference'): Promise<void> {
  const file = files[0];
  if (!file) return;
  if (isCheckpointName(file.name)) return convertFile(file, file.name);
  if (isVideoFile(file.name, file.type)) return translateVideo(file);
  if (target === 'reference') return setReferenceFile(file);
  if (await restoreFromResult(file, file.name)) return;
  return setContentFile(file);
}
