/**
 * A button-styled label around a hidden file input: the one way the page lets a file be chosen
 * (photo, reference, checkpoint). The input is emptied after each pick, so choosing the same file
 * twice in a row still fires.
 */
export function FilePicker({
  label,
  accept,
  testId,
  onFiles,
  className = 'button',
}: {
  label: string;
  accept: string;
  testId: string;
  onFiles: (files: File[]) => void;
  className?: string;
}) {
  return (
    <label className={className}>
      {label}
      <input
        type="file"
        accept={accept}
        className="visually-hidden"
        data-testid={testId}
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          onFiles(files);
        }}
      />
    </label>
  );
}
