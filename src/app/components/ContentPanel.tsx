import { useStore } from '../store';
import { handleFiles, loadExample, setCrop } from '../actions/content';
import { attachCameraVideo, freezeCamera, setCameraCrop, toggleCamera } from '../camera';
import { sourceDomain } from '../domains';
import { CropEditor } from './CropEditor';
import { DropZone } from './DropZone';
import { FilePicker } from './FilePicker';
import { FrameCanvas } from './FrameCanvas';

/** Step 1: the content image (drop, pick or paste), its crop, and the exact model input. */
export function ContentPanel() {
  const content = useStore((s) => s.content);
  const crop = useStore((s) => s.crop);
  const model = useStore((s) => s.model);
  const knows = useStore((s) => s.models.find((m) => m.id === s.model?.id)?.knows);
  const modelInput = useStore((s) => s.modelInput);
  const direction = useStore((s) => s.direction);
  const camera = useStore((s) => s.camera);
  const cameraOn = camera.status !== 'off';
  const shownInput = cameraOn ? camera.input : modelInput;
  const source = model ? sourceDomain(model.domains, direction) : 'source';
  return (
    <section className="panel" aria-labelledby="content-title">
      <h2 id="content-title">1. Your {source} {cameraOn ? '(live camera)' : 'photo'}</h2>
      <DropZone label="Drop the content image here" onFiles={(f) => void handleFiles(f, 'content')} testId="content-drop">
        {camera.status === 'live' ? (
          <CropEditor
            key="camera"
            src="camera"
            attachMedia={attachCameraVideo}
            width={camera.width}
            height={camera.height}
            crop={camera.crop}
            preprocess={model?.preprocess ?? null}
            onChange={setCameraCrop}
          />
        ) : camera.status === 'starting' ? (
          <p className="placeholder" data-testid="camera-starting">
            Starting the camera… (your browser may ask for permission)
          </p>
        ) : content ? (
          <CropEditor
            key="photo"
            src={content.url}
            width={content.width}
            height={content.height}
            crop={crop}
            preprocess={model?.preprocess ?? null}
            onChange={setCrop}
          />
        ) : (
          <p className="placeholder">Drop a photo here, paste one (Ctrl+V) or choose a file. It never leaves this device.</p>
        )}
        <div className="row wrap">
          <FilePicker label="Choose a photo…" accept="image/*" testId="content-input" onFiles={(files) => void handleFiles(files, 'content')} />
          <button type="button" data-testid="example" onClick={() => void loadExample()} title="Chelsea the cat (CC0), shipped with the app">
            Try an example
          </button>
          <button
            type="button"
            className={cameraOn ? '' : 'secondary'}
            data-testid="source-camera"
            aria-pressed={cameraOn}
            title="Translate your camera live (the video stays on this device)"
            onClick={toggleCamera}
          >
            {cameraOn ? 'Stop camera' : 'Camera'}
          </button>
          {camera.status === 'live' && (
            <button type="button" data-testid="camera-freeze" disabled={!camera.output} onClick={() => void freezeCamera()} title="Keep this frame as the photo">
              Freeze
            </button>
          )}
          {content && !cameraOn && <span className="hint">{content.name} · {content.originalWidth}×{content.originalHeight}</span>}
        </div>
      </DropZone>
      {knows && (
        <p className="hint model-knows" data-testid="model-knows">
          <strong>This model knows:</strong> {knows}
        </p>
      )}
      {(content || cameraOn) && (
        <figure className="model-input">
          <FrameCanvas frame={shownInput} data-testid="model-input-view" aria-label="The exact model input" />
          <figcaption>
            Model input{shownInput ? ` (${shownInput.width}×${shownInput.height})` : ''}
          </figcaption>
        </figure>
      )}
    </section>
  );
}
