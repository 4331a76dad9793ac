package export

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// File is the output of a single-file export (JSONL, CSV, WARC). It is written under
// a temporary name beside Path and moved into place when complete, so a failed or
// interrupted export never leaves a truncated file that looks finished, and an
// existing output is replaced (Force) only by a complete new one: a failure leaves it
// as it was. Errors name Path, never the temporary file.
type File struct {
	Path  string
	Force bool
}

// existsError is an output that is there already; errors.Is(err, ErrExists) holds.
type existsError struct{ msg string }

func (e existsError) Error() string        { return e.msg }
func (e existsError) Is(target error) bool { return target == ErrExists }

// errDirThere: an empty directory is where the file is to go (Force replaces it).
var errDirThere = existsError{"a directory is there (use --force to replace it, or give a file name)"}

// errDirNotEmpty: a directory with entries is where the file is to go. Force does not
// replace it: that would delete whatever it holds.
var errDirNotEmpty = existsError{"a directory with files in it is there, and this export is one file: give a file name " +
	"(--force replaces a file or an empty directory, never a directory's contents)"}

// Write creates the file with write and moves it into place. A device, pipe or socket
// at Path (/dev/null, /dev/stdout, a FIFO a reader waits on) is written to directly,
// as a shell redirection would, with or without Force: replacing it with a file would
// destroy it, and a stream cannot be swapped in whole anyway.
func (f File) Write(write func(w io.Writer) (Counts, error)) (Counts, error) {
	if fi, err := os.Stat(f.Path); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
		return f.writeStream(write)
	}
	if err := f.check(); err != nil {
		return Counts{}, err
	}
	dir := filepath.Dir(f.Path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(f.Path)+".*.partial")
	if err != nil {
		return Counts{}, f.pathError("create", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once moved into place
	c, err := write(namedWriter{tmp, f.Path})
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = f.pathError("write", cerr)
	}
	if err != nil {
		return c, err
	}
	// CreateTemp makes the file private; an export is an ordinary file.
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return c, f.pathError("create", err)
	}
	return c, f.place(tmp.Name())
}

// writeStream writes into the existing non-regular file at Path.
func (f File) writeStream(write func(w io.Writer) (Counts, error)) (Counts, error) {
	out, err := os.OpenFile(f.Path, os.O_WRONLY, 0)
	if err != nil {
		return Counts{}, f.pathError("open", err)
	}
	c, err := write(namedWriter{out, f.Path})
	if cerr := out.Close(); err == nil && cerr != nil {
		err = f.pathError("write", cerr)
	}
	return c, err
}

// check refuses, before anything is written, an output that is there already (unless
// Force can replace it) and a directory that does not exist.
func (f File) check() error {
	fi, err := os.Lstat(f.Path)
	switch {
	case err == nil && fi.IsDir():
		empty, err := emptyDir(f.Path)
		if err != nil {
			return f.pathError("read", err)
		}
		if !empty {
			return fmt.Errorf("export: %s: %w", f.Path, errDirNotEmpty)
		}
		if !f.Force {
			return fmt.Errorf("export: %s: %w", f.Path, errDirThere)
		}
	case err == nil && !f.Force:
		return fmt.Errorf("export: %s: %w", f.Path, ErrExists)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return f.pathError("create", err)
	}
	return nil
}

// place moves the complete temporary file tmp to Path.
func (f File) place(tmp string) error {
	if !f.Force {
		// A hard link fails if the name was taken meanwhile; rename would replace it.
		err := os.Link(tmp, f.Path)
		if errors.Is(err, fs.ErrExist) {
			if cerr := f.check(); cerr != nil {
				return cerr // names what is there now
			}
			return fmt.Errorf("export: %s: %w", f.Path, ErrExists)
		}
		if err == nil {
			return nil
		}
		// A file system without hard links: rename, as with Force.
	}
	fi, err := os.Lstat(f.Path)
	if err == nil && fi.IsDir() {
		return f.replaceDir(tmp)
	}
	// rename(2) replaces a file atomically: the old one stays until the new is in place.
	if err := os.Rename(tmp, f.Path); err != nil {
		return f.pathError("replace", err)
	}
	return nil
}

// replaceDir puts tmp in the place of the empty directory Path, which rename cannot
// replace with a file: the directory is moved aside, tmp moved in, and the directory
// removed; if tmp cannot be moved in, the directory is moved back.
func (f File) replaceDir(tmp string) error {
	aside := tmp + ".old"
	if err := os.Rename(f.Path, aside); err != nil {
		return f.pathError("replace", err)
	}
	if err := os.Rename(tmp, f.Path); err != nil {
		if rerr := os.Rename(aside, f.Path); rerr != nil {
			return fmt.Errorf("export: replace %s: %w (the directory that was there is now %s)", f.Path, unwrapPath(err), aside)
		}
		return f.pathError("replace", err)
	}
	if err := os.Remove(aside); err != nil {
		// Something was put in the directory meanwhile: it is kept.
		return fmt.Errorf("export: wrote %s; the directory that was there is kept as %s: %w", f.Path, aside, unwrapPath(err))
	}
	return nil
}

// pathError says that op on Path failed, with the cause alone: the *fs.PathError or
// *os.LinkError of a call on the temporary file would name that file. A directory
// that does not exist is named.
func (f File) pathError(op string, err error) error {
	dir := filepath.Dir(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		if _, serr := os.Stat(dir); errors.Is(serr, fs.ErrNotExist) {
			return fmt.Errorf("export: %s %s: directory %s does not exist (create it first)", op, f.Path, dir)
		}
	}
	if errors.Is(err, syscall.ENOTDIR) {
		if fi, serr := os.Stat(dir); serr == nil && !fi.IsDir() {
			return fmt.Errorf("export: %s %s: %s is not a directory", op, f.Path, dir)
		}
	}
	return fmt.Errorf("export: %s %s: %w", op, f.Path, unwrapPath(err))
}

// unwrapPath is the cause of a *fs.PathError or *os.LinkError, without the paths.
func unwrapPath(err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		return pe.Err
	case errors.As(err, &le):
		return le.Err
	}
	return err
}

func emptyDir(path string) (bool, error) {
	d, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer d.Close()
	_, err = d.Readdirnames(1)
	if errors.Is(err, io.EOF) {
		return true, nil
	}
	return false, err
}

// namedWriter writes to the temporary file, naming Path in its errors ("write
// PATH: no space left on device").
type namedWriter struct {
	f    *os.File
	name string
}

func (w namedWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		pe.Path = w.name
	}
	return n, err
}
