import { useState, type ReactNode } from 'react';

interface Props {
  onFiles(files: File[]): void;
  label: string;
  children?: ReactNode;
  testId?: string;
}

/** A region that accepts dropped files (and stops them from reaching the page-level handler). */
export function DropZone({ onFiles, label, children, testId }: Props) {
  const [over, setOver] = useState(false);
  return (
    <div
      className={`drop-zone${over ? ' over' : ''}`}
      aria-label={label}
      data-testid={testId}
      onDragOver={(e) => {
        if (![...e.dataTransfer.types].includes('Files')) return;
        e.preventDefault();
        e.stopPropagation();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        e.stopPropagation();
        setOver(false);
        onFiles([...e.dataTransfer.files]);
      }}
    >
      {children}
    </div>
  );
}
