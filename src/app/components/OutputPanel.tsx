import { useEffect, useState } from 'react';
import { useStore } from '../store';
import { describeOutput } from '../announce';
import { copyOutput, copyShareLink, downloadOutput } from '../actions/output';
import { sourceDomain, targetDomain } from '../domains';
import { FrameCanvas } from './FrameCanvas';

/**
 * A polite live region that says what each new output shows (not the live camera's frames: a
 * screen reader would read out nothing else). Always in the page, so the first change is heard.
 */
function OutputAnnouncer() {
  const output = useStore((s) => s.output);
  const live = useStore((s) => s.camera.status !== 'off');
  const [text, setText] = useState('');
  useEffect(() => {
    if (output && !live) setText(describeOutput(useStore.getState()));
  }, [output, live]);
  return (
    <p className="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="announce">
      {text}
    </p>
  );
}

/** Step 3: input and output side by side, download / copy / share. */
export function OutputPanel() {
  const output = useStore((s) => s.output);
  const modelInput = useStore((s) => s.modelInput);
  const rendering = useStore((s) => s.rendering);
  const content = useStore((s) => s.content);
  const model = useStore((s) => s.model);
  const direction = useStore((s) => s.direction);
  const camera = useStore((s) => s.camera);
  const live = camera.status !== 'off';
  const shown = live ? camera.output : output;
  const [from, to] = model ? [sourceDomain(model.domains, direction), targetDomain(model.domains, direction)] : ['input', 'output'];
  return (
    <section className="panel" aria-labelledby="output-title" aria-busy={rendering}>
      <h2 id="output-title">
        3. Result {rendering && <span className="spinner" data-testid="rendering" aria-label="rendering" />}
      </h2>
      {!content && !live && <p className="placeholder">The translation appears here once you drop a photo.</p>}
      {/* No empty frames before there is anything to show. */}
      <div className="compare" hidden={!content && !live}>
        <figure className="compare-input">
          <FrameCanvas frame={live ? camera.input : modelInput} aria-label={`Input (${from})`} />
          <figcaption>{from}</figcaption>
        </figure>
        <figure>
          <FrameCanvas frame={shown} data-testid="output" aria-label={`Output (${to})${live ? ', live' : ''}`} />
          <figcaption>{to}</figcaption>
        </figure>
      </div>
      <div className="row wrap">
        <button type="button" data-testid="download" disabled={!shown} onClick={() => void downloadOutput()}>
          Download PNG
        </button>
        <button type="button" className="secondary" data-testid="copy" disabled={!shown} onClick={() => void copyOutput()}>
          Copy image
        </button>
        <button type="button" className="secondary" data-testid="share" disabled={!model} onClick={() => void copyShareLink()}>
          Copy share link
        </button>
      </div>
      <OutputAnnouncer />
    </section>
  );
}
