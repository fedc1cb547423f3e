package batch

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// walker finds the input files of a batch: explicit files as given, and the
// *.json files under explicit folders, in a stable order.
type walker struct {
	// skipDirs are folders never entered (the output folder).
	skipDirs []fs.FileInfo
	// skipFiles are files never read (the report).
	skipFiles []fs.FileInfo
	// file is called for every input file, in order.
	file func(path string)
	// problem is called for a folder that cannot be read.
	problem func(path string, err error)
	// skipped is called when a folder or file is left out, or read
	// although it is also an output, on purpose.
	skipped func(path, why string)
	// stop reports that the walk should end early (the batch was
	// cancelled); nil never stops.
	stop func() bool
	// duplicate is called for a file or folder already read under
	// another path (an input named twice, a file named and inside a named
	// folder, a link); it is read once.
	duplicate func(path, first string)
	dups      duplicates
	// skipFile is called for a *.json file of a backup folder that is not
	// a device configuration: it is not read, but it is reported.
	skipFile func(path, why string)
	// backupDone is called when the walk leaves a backup folder.
	backupDone func(*backupWalk)
	// backup is the backup folder being walked, if any; nil outside.
	backup *backupWalk
}

// duplicates finds what a batch would read twice without remembering every
// file, so that memory stays flat however many files a folder holds: it
// remembers the folders walked, the files named as inputs, and the files
// that have more than one name (hard links); a symbolic link is a duplicate
// when its target lies in a folder of the walk.
type duplicates struct {
	roots    []string          // absolute paths of the input folders
	dirs     map[fileID]string // folders walked, by identity
	args     map[fileID]string // files named as inputs
	argsRead map[fileID]bool
	linked   map[fileID]string // files with several names, read
}

func (w *walker) stopped() bool { return w.stop != nil && w.stop() }

// prepare notes the input files and folders before the walk.
func (w *walker) prepare(inputs []string) {
	d := &w.dups
	d.dirs, d.args, d.argsRead, d.linked = map[fileID]string{}, map[fileID]string{}, map[fileID]bool{}, map[fileID]string{}
	for _, in := range inputs {
		fi, err := os.Stat(in)
		if in == "-" || err != nil {
			continue
		}
		if fi.IsDir() {
			if abs, err := filepath.Abs(in); err == nil {
				d.roots = append(d.roots, abs)
			}
			continue
		}
		if id, ok := idOf(in, fi); ok {
			if _, dup := d.args[id]; !dup {
				d.args[id] = in
			}
		}
	}
}

// argOnce reports whether the input file named as in is read here: not
// when the same file was named before.
func (w *walker) argOnce(in string, fi fs.FileInfo) bool {
	id, ok := idOf(in, fi)
	if !ok {
		return true
	}
	if w.dups.argsRead[id] {
		w.reportDuplicate(in, w.dups.args[id])
		return false
	}
	if w.dups.argsRead == nil {
		w.dups.argsRead = map[fileID]bool{}
	}
	w.dups.argsRead[id] = true
	return true
}

// fileOnce reports whether a file found in a folder is read here: not when
// it is also named as an input (it is read as that input), nor when it is
// a second name of a file already read.
func (w *walker) fileOnce(path string, fi fs.FileInfo) bool {
	id, ok := idOf(path, fi)
	if !ok {
		return true
	}
	if arg, named := w.dups.args[id]; named {
		w.reportDuplicate(path, arg)
		return false
	}
	if linkCount(fi) > 1 {
		return w.first(&w.dups.linked, id, path)
	}
	return true
}

// first records that path is the first seen of id in set, or reports it as
// a repeat of the first.
func (w *walker) first(set *map[fileID]string, id fileID, path string) bool {
	if first, dup := (*set)[id]; dup {
		w.reportDuplicate(path, first)
		return false
	}
	if *set == nil {
		*set = map[fileID]string{}
	}
	(*set)[id] = path
	return true
}

// linkOnce reports whether the file a symbolic link found in a folder
// points to is read through the link: not when the walk reads it under its
// own name anyway.
func (w *walker) linkOnce(link string, target fs.FileInfo) bool {
	real, err := filepath.EvalSymlinks(link)
	if err == nil && isJSONName(real) && w.underRoot(real) {
		w.reportDuplicate(link, real)
		return false
	}
	return w.fileOnce(link, target)
}

// underRoot reports whether the walk reaches path, a file with no symbolic
// link in its path, by its own name: it lies in an input folder, and no
// folder on the way is hidden.
func (w *walker) underRoot(path string) bool {
	for _, root := range w.dups.roots {
		real, err := filepath.EvalSymlinks(root)
		if err != nil {
			continue
		}
		rel, err := filepath.Rel(real, path)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		hidden := false
		for _, part := range strings.Split(rel, string(filepath.Separator)) {
			hidden = hidden || strings.HasPrefix(part, ".")
		}
		if !hidden {
			return true
		}
	}
	return false
}

// dirOnce reports whether a folder is walked here: not when it was walked
// already (named twice, or inside another input folder).
func (w *walker) dirOnce(path string, fi fs.FileInfo) bool {
	id, ok := idOf(path, fi)
	if !ok {
		return true
	}
	return w.first(&w.dups.dirs, id, path)
}

func (w *walker) reportDuplicate(path, first string) {
	if w.duplicate != nil {
		w.duplicate(path, first)
	}
}

// walk visits one input argument: "-" and files are passed on as they are
// (whatever their extension: they were named on purpose); folders are
// walked.
func (w *walker) walk(input string) {
	if input == "-" {
		w.file(input)
		return
	}
	fi, err := os.Stat(input)
	if err != nil {
		// A missing or unreadable path is reported when it is read, as
		// one failed entry like any other bad input.
		w.file(input)
		return
	}
	if !fi.IsDir() {
		if w.argOnce(input, fi) {
			w.file(input)
		}
		return
	}
	w.dir(input, fi, true)
}

// dir walks a folder in lexical order of file names, depth first. Names are
// read without their file information, and sorted, so that a folder of
// 10,000 exports costs one short string per file while it is walked. Hidden
// files and folders (names starting with ".") are skipped: they hold
// version-control data, editor backups and the temporary files of atomic
// writes, never exports. Symbolic links to files are followed; links to
// folders are not, so that a walk cannot loop. A folder of skipDirs inside
// the walk is left out; when it is the input folder itself (root), it is
// walked (only *.json files are read, never the profiles) with a word.
func (w *walker) dir(path string, fi fs.FileInfo, root bool) {
	for _, s := range w.skipDirs {
		if !os.SameFile(fi, s) {
			continue
		}
		if root {
			w.skipped(path, "it is also the output folder: its *.json files are read, the profiles written to it never are")
			break
		}
		w.skipped(path, "it is the output folder, inside an input folder; it is not read")
		return
	}
	if !w.dirOnce(path, fi) {
		return
	}
	names, err := readDirNames(path)
	if err != nil {
		w.problem(path, err)
		return
	}
	slices.Sort(names)
	var tool *backupTool
	if w.backup == nil {
		var configsRoot bool
		if tool, configsRoot = detectBackup(path, names); tool != nil {
			w.backup = &backupWalk{tool: tool, root: path, configsRoot: configsRoot}
			defer func() {
				if w.backupDone != nil {
					w.backupDone(w.backup)
				}
				w.backup = nil
			}()
		}
	}
	for i, name := range names {
		if w.stopped() {
			return
		}
		names[i] = "" // let the walk forget what it has visited
		if strings.HasPrefix(name, ".") {
			continue
		}
		p := filepath.Join(path, name)
		if why := w.backupSkip(path, name, tool != nil && !w.backup.configsRoot); why != "" {
			w.skipTree(p, why)
			continue
		}
		lfi, err := os.Lstat(p)
		if err != nil {
			// Gone since the folder was read: reading it reports why.
			if isJSONName(name) {
				w.file(p)
			}
			continue
		}
		switch mode := lfi.Mode(); {
		case mode.IsDir():
			w.dir(p, lfi, false)
		case mode&fs.ModeSymlink != 0:
			sfi, err := os.Stat(p)
			if err != nil || !sfi.Mode().IsRegular() || !isJSONName(name) {
				continue
			}
			if !w.isSkippedFile(p, sfi) && w.linkOnce(p, sfi) {
				w.handOn(p)
			}
		case mode.IsRegular() && isJSONName(name):
			if !w.isSkippedFile(p, lfi) && w.fileOnce(p, lfi) {
				w.handOn(p)
			}
		}
	}
}

// backupSkip says why the entry name of the folder dir is not read, when
// dir is (atRoot) or lies in a backup folder: the tool's bookkeeping files,
// the folders of other kinds of policies, and assignment folders.
func (w *walker) backupSkip(dir, name string, atRoot bool) string {
	b := w.backup
	if b == nil {
		return ""
	}
	t := b.tool
	if atRoot {
		if slices.Contains(t.knownFiles, name) {
			return "bookkeeping file " + name
		}
		if name == t.configs {
			return ""
		}
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && fi.IsDir() {
			return t.skipWhy(name)
		}
		return ""
	}
	if t.assignments != "" && name == t.assignments {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && fi.IsDir() {
			return "assignment file"
		}
	}
	return ""
}

// handOn passes a file found in a folder on to be read.
func (w *walker) handOn(path string) {
	if w.backup != nil {
		w.backup.read++
	}
	w.file(path)
}

// skipTree reports every *.json file at path (a file, or a folder walked as
// dir walks it) as skipped for why, without reading it.
func (w *walker) skipTree(path, why string) {
	fi, err := os.Lstat(path)
	if err != nil {
		return
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		// Links to files count; links to folders are not followed, as
		// in dir.
		if fi, err = os.Stat(path); err != nil || fi.IsDir() {
			return
		}
	}
	if !fi.IsDir() {
		if isJSONName(path) && w.skipFile != nil {
			w.backup.skip(why)
			w.skipFile(path, why)
		}
		return
	}
	names, err := readDirNames(path)
	if err != nil {
		w.problem(path, err)
		return
	}
	slices.Sort(names)
	for _, name := range names {
		if w.stopped() {
			return
		}
		if !strings.HasPrefix(name, ".") {
			w.skipTree(filepath.Join(path, name), why)
		}
	}
}

func (w *walker) isSkippedFile(path string, fi fs.FileInfo) bool {
	for _, s := range w.skipFiles {
		if os.SameFile(fi, s) {
			w.skipped(path, "it is the report of this batch; it is not read")
			return true
		}
	}
	return false
}

func readDirNames(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

// isJSONName reports whether a file name ends in ".json", in any letter case
// (Windows tools save "EXPORT.JSON").
func isJSONName(name string) bool {
	return strings.EqualFold(filepath.Ext(name), ".json")
}

// openDocument opens one input and reads its Graph document. A regular file
// is read by graphjson.ReadDocumentFrom, into the parser's own buffer, or,
// for a large list, entity by entity: then the file stays open, and closer
// closes it once the entities are read. Standard input, and anything else
// that is not a regular file, is read into memory first. A problem reading
// the input is readErr; a problem with what it holds is err, with the
// encoding it was read in (d.Encoding).
func openDocument(path string, stdin io.Reader, limit int64, lim graphjson.Limits) (d *graphjson.DocumentReader, closer io.Closer, readErr, err error) {
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, err, nil
		}
		fi, err := f.Stat()
		if err == nil && fi.Mode().IsRegular() {
			if fi.Size() > limit {
				f.Close()
				return nil, nil, &tooLargeError{limit}, nil
			}
			d, err := graphjson.ReadDocumentFrom(f, fi.Size(), lim)
			if d.Streaming() {
				return d, f, nil, nil
			}
			f.Close()
			if re := (*graphjson.ReadError)(nil); errors.As(err, &re) {
				return nil, nil, re.Err, nil
			}
			return d, nil, nil, err
		}
		f.Close()
	}
	data, rerr := readFile(path, stdin, limit)
	if rerr != nil {
		return nil, nil, rerr, nil
	}
	d, err = graphjson.ReadDocumentFrom(bytes.NewReader(data), int64(len(data)), lim)
	return d, nil, nil, err
}

// readFile reads one input, refusing more than max bytes.
func readFile(path string, stdin io.Reader, limit int64) ([]byte, error) {
	var r io.Reader
	size := int64(512)
	if path == "-" {
		if stdin == nil {
			return nil, fmt.Errorf("standard input is not available")
		}
		r = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil {
			if fi.IsDir() {
				return nil, fmt.Errorf("it is a folder")
			}
			// Read a regular file into a buffer of its size at once
			// rather than growing one; the limit still applies if it
			// grows meanwhile.
			size = min(fi.Size(), limit) + 1
		}
		r = f
	}
	// One byte more than the limit tells a file of exactly limit bytes
	// from a larger one, without overflowing for math.MaxInt64.
	data, err := readAll(io.LimitReader(r, min(limit, math.MaxInt64-1)+1), int(max(size, 512)))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &tooLargeError{limit}
	}
	return data, nil
}

// tooLargeError is readFile's error for a file larger than the limit.
type tooLargeError struct{ limit int64 }

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("the file is larger than %d bytes; no Graph export is that large", e.limit)
}

var maxInputSizeHint = diag.Hint{Code: diag.HintMaxInputSize, Text: "batch.Options.MaxInputSize sets the limit"}

// readAll is io.ReadAll starting with a buffer of size bytes.
func readAll(r io.Reader, size int) ([]byte, error) {
	b := make([]byte, 0, size)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// pageHeader is what batch needs of a Graph list response besides its
// entities: which collection it comes from and whether more pages follow.
type pageHeader struct {
	Context  string
	NextLink *string
}

// pages follows the pages of list responses across input files. A page does
// not carry its own address, only the address of the next one, so the check
// is per collection (@odata.context): every chain of pages ends with a page
// without @odata.nextLink, and a collection whose every page has one is
// missing at least its last page.
type pages struct {
	byContext map[string]*pageChain
	order     []string
}

type pageChain struct {
	context     string // @odata.context of the collection
	firstLinked string // the first file that has @odata.nextLink
	linked      int    // files with @odata.nextLink
	last        bool   // some file of the collection has none
}

func (p *pages) add(source string, h pageHeader, isList bool) {
	if !isList && h.NextLink == nil {
		return
	}
	if p.byContext == nil {
		p.byContext = map[string]*pageChain{}
	}
	c := p.byContext[h.Context]
	if c == nil {
		c = &pageChain{context: h.Context}
		p.byContext[h.Context] = c
		p.order = append(p.order, h.Context)
	}
	if h.NextLink == nil {
		c.last = true
		return
	}
	if c.linked == 0 {
		c.firstLinked = source
	}
	c.linked++
}

// incomplete returns, in input order, the collections that lack their last
// page.
func (p *pages) incomplete() []*pageChain {
	var out []*pageChain
	for _, ctx := range p.order {
		if c := p.byContext[ctx]; c.linked > 0 && !c.last {
			out = append(out, c)
		}
	}
	return out
}
