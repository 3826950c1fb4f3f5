import { setVideoContainer } from '../export';
import { VIDEO_LIMITS } from '../../export/video-plan';
import { videoUnavailableReason, type VideoContainer } from '../../export/video';
import { cancelVideo, setVideoPath, translateVideo } from '../video/actions';
import type { VideoZPath } from '../video/state';
import { useStore } from '../store';
import { FilePicker } from './FilePicker';
import { FrameCanvas } from './FrameCanvas';

const ACCEPT = 'video/mp4,video/webm,video/quicktime,.mp4,.m4v,.mov,.webm,.mkv';

/** A video file through the model: pick or drop it, choose where z comes from, watch the progress, get the file. */
export function VideoPanel() {
  const video = useStore((s) => s.video);
  const container = useStore((s) => s.exporting.container);
  const dim = useStore((s) => s.exporting.sweep.dim);
  const hasInterp = useStore((s) => !!s.interp.from && !!s.interp.to);
  const ready = useStore((s) => !!s.model && !s.loading);
  const noVideo = videoUnavailableReason();
  const { job, result, message } = video;
  const paths: { value: VideoZPath; label: string; disabled?: boolean }[] = [
    { value: 'current', label: 'The current z, every frame' },
    { value: 'interp', label: 'From the interpolation start to its end', disabled: !hasInterp },
    { value: 'sweep', label: `A sweep of z${dim + 1} from -3 to 3` },
  ];
  return (
    <section className="panel" aria-labelledby="video-title" aria-busy={!!job}>
      <h2 id="video-title">Translate a video</h2>
      <p className="hint">
        Drop an MP4 or WebM anywhere on the page, or choose one: up to {VIDEO_LIMITS.maxSeconds} s, {VIDEO_LIMITS.maxBytes / (1024 * 1024)} MB and 4K, at
        most {VIDEO_LIMITS.maxFps} frames per second. Each frame is prepared like a photo (the model&apos;s own crop) and translated here; the sound is
        kept.
      </p>
      {noVideo ? (
        <p className="hint" data-testid="video-unavailable">
          {noVideo}
        </p>
      ) : (
        <div className="row wrap">
          <label>
            z along the video{' '}
            <select data-testid="video-path" value={video.path} disabled={!!job} onChange={(e) => setVideoPath(e.target.value as VideoZPath)}>
              {paths.map((p) => (
                <option key={p.value} value={p.value} disabled={p.disabled}>
                  {p.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Format{' '}
            <select data-testid="video-container" value={container} disabled={!!job} onChange={(e) => setVideoContainer(e.target.value as VideoContainer)}>
              <option value="webm">WebM (VP9 / VP8)</option>
              <option value="mp4">MP4 (H.264)</option>
            </select>
          </label>
          {ready && !job && (
            <FilePicker label="Choose a video…" accept={ACCEPT} testId="video-input" onFiles={(files) => files[0] && void translateVideo(files[0])} />
          )}
        </div>
      )}
      {job && (
        <div className="progress" role="status" data-testid="video-progress">
          <span data-testid="video-progress-text">
            {job.stage === 'reading'
              ? `Reading “${job.name}”…`
              : `“${job.name}”: frame ${job.done} of ${job.total}, ${job.eta}`}
          </span>
          <progress max={Math.max(1, job.total)} value={job.done} aria-label="Video translation progress" />
          <button type="button" className="secondary" data-testid="video-cancel" onClick={cancelVideo}>
            Cancel
          </button>
        </div>
      )}
      {job?.frame && <FrameCanvas frame={job.frame} data-testid="video-frame" aria-label="The last translated frame" />}
      {message && (
        <p className="hint" role="status" data-testid="video-message">
          {message}
        </p>
      )}
      {!job && result && (
        <figure className="video-result">
          <video src={result.url} controls loop playsInline data-testid="video-result" aria-label={`The translated video ${result.name}`} />
          <figcaption className="hint" role="status" data-testid="video-saved">
            {result.summary}
          </figcaption>
        </figure>
      )}
    </section>
  );
}
