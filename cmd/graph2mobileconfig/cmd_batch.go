package main

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig"
	"github.com/graph2mobileconfig/graph2mobileconfig/batch"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
)

func batchCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "batch",
		Usage:     "compile every IKEv2 VPN configuration in files, folders and tenant exports",
		ArgsUsage: "INPUT... (files, folders, or - for standard input)",
		Description: "Each INPUT is a Graph export file (a single entity, {\"value\": ...}, a list response or an\n" +
			"array, as Graph writes it or as the Graph PowerShell SDK's objects come out of ConvertTo-Json;\n" +
			"UTF-8 or UTF-16; the pages of a paged export are simply several files), a folder whose *.json\n" +
			"files are read recursively in name order (hidden files and folders are skipped), or - for\n" +
			"standard input. A backup folder of IntuneManagement or IntuneBackupAndRestore is recognised:\n" +
			"its device configurations are read, its other files are skipped and counted.\n" +
			"Every microsoft.graph.iosikEv2VpnConfiguration becomes OUT-DIR/<displayName>-<id hash>.mobileconfig;\n" +
			"other configurations are skipped. One bad input never stops the others. The exit status is 1 when\n" +
			"any entity failed, any input could not be recognised, or nothing was compiled. --report writes a\n" +
			"JSON record of every entity: source, JSON path, id, displayName, status, output path, SHA-256 of\n" +
			"the output and diagnostics; the --with files, which every entity shares, are listed once under\n" +
			"\"shared\" with the findings of reading them. --json prints every entity, notice and the summary\n" +
			"as JSON lines on standard output instead of text on standard error.\n" +
			"On a terminal, a progress bar sized to the terminal's width is drawn on standard error; elsewhere\n" +
			"(a log, a pipe, /dev/null) nothing is, unless --progress asks for plain progress lines.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "out-dir", Usage: "`FOLDER` to write the profiles to (created if missing)"},
			&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: min(runtime.NumCPU(), batch.MaxJobs), Usage: "compile `N` entities at once (1 to 256)"},
			&cli.StringFlag{Name: "report", Usage: "write a JSON report of every entity to `FILE`"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress, and no summary line unless something failed"},
			&cli.BoolFlag{Name: "progress", Usage: "show progress even when standard error is not a terminal (a line every 2 s or 10% of the files)"},
			&cli.BoolFlag{Name: "json", Usage: "print every entity, notice and the summary as JSON lines on standard output"},
		}, append(compileFlags(), signFlags()...)...),
		Action: func(c *cli.Context) error { return runBatch(c, e) },
	}
}

func runBatch(c *cli.Context, e env) error {
	inputs := c.Args().Slice()
	if len(inputs) == 0 {
		return usagef("batch needs at least one INPUT (a file, a folder, or - for standard input)")
	}
	stdin := 0
	for _, in := range inputs {
		if in == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return usagef("- (standard input) can be given only once")
	}
	outDir := c.String("out-dir")
	if outDir == "" {
		return usagef("batch needs --out-dir FOLDER")
	}
	if j := c.Int("jobs"); j < 1 || j > batch.MaxJobs {
		return usagef("--jobs %d: want 1 to %d", j, batch.MaxJobs)
	}
	if c.String("report") == "-" {
		return usagef("--report needs a FILE (standard output cannot be written atomically)")
	}
	copts, printer, err := compileOptions(c, e)
	if err != nil {
		return err
	}
	shared, err := loadCertificates(c, e, &copts)
	if err != nil {
		return err
	}
	// The library's one entry point, as compile uses it: every entity is
	// compiled by this Compiler. An error in a --with export (in notes) is
	// reported as the batch's, below, after the report is written.
	compiler, notes, err := graph2mobileconfig.New(copts)
	if err != nil && !notes.HasErrors() {
		return optionError(c, err)
	}
	withErrors := reportWith(e, printer, notes)
	quiet := c.Bool("quiet")
	if quiet && c.Bool("progress") {
		return usagef("give either --quiet or --progress, not both")
	}
	const prefix = "graph2mobileconfig: "
	var meter *batch.ProgressMeter
	switch {
	case quiet || printer.json && printer.jsonOut == e.stderr:
		// No progress: nothing to show it on.
	case e.stderrColumns != nil:
		meter = batch.NewProgressMeter(e.stderr, prefix+"batch: ", e.stderrColumns)
	case c.Bool("progress"):
		meter = batch.NewProgressMeter(e.stderr, prefix+"batch: ", nil)
	}
	clearBar := func() {
		if meter != nil {
			meter.Clear()
		}
	}
	jsonLine := printer.printJSONLine
	opts := batch.Options{
		Compiler:     compiler,
		OutDir:       outDir,
		Jobs:         c.Int("jobs"),
		MaxInputSize: c.Int64("max-input-size"),
		Force:        c.Bool("force"),
		Report:       c.String("report"),
		Stdin:        e.stdin,
		Tracker:      e.tracker,
		Protect:      e.inputs.list(),
		Shared:       shared,
		OnEntry: func(en batch.Entry) {
			if c.Context.Err() != nil {
				// Interrupted: the entities still in flight fail as
				// "cancelled"; listing them would only hide the
				// interrupt message.
				return
			}
			if printer.json {
				clearBar()
				jsonLine(en)
				return
			}
			for _, d := range en.Diagnostics {
				if printer.verbose || en.Status == batch.StatusFailed && d.Severity == diag.Error {
					clearBar()
					fmt.Fprintf(e.stderr, "%s%s %s: %s\n", prefix, displayName(en.Source), en.Path, d.String())
				}
			}
		},
		OnNotice: func(n batch.Notice) {
			if c.Context.Err() != nil {
				return
			}
			// Notices concern the batch as a whole (an incomplete paged
			// export, an output folder inside an input folder) and are
			// few: they are printed even without --verbose.
			if printer.json {
				clearBar()
				jsonLine(struct {
					Notice batch.Notice `json:"notice"`
				}{n})
				return
			}
			clearBar()
			fmt.Fprintf(e.stderr, "%s%s\n", prefix, n.String())
		},
	}
	if meter != nil {
		opts.OnProgress = meter.Update
	}
	// With an error in a --with export, Run writes only the report, which
	// lists the findings.
	sum, err := batch.Run(c.Context, inputs, opts)
	if meter != nil {
		meter.Done()
	}
	if withErrors || errors.Is(err, batch.ErrSharedInput) {
		if err != nil && !errors.Is(err, batch.ErrSharedInput) {
			return err // the report could not be written
		}
		if !printer.json {
			n := 0
			for _, in := range shared {
				n += in.Diagnostics.Count(diag.Error)
			}
			fmt.Fprintf(e.stderr, "%s--with: %d error(s); nothing compiled\n", prefix, n)
		}
		return failure{}
	}
	if err != nil {
		return err
	}
	switch {
	case printer.json:
		jsonLine(struct {
			Summary batch.Summary `json:"summary"`
		}{sum})
	case !quiet || sum.Failed > 0:
		line := fmt.Sprintf("%sbatch: %s; profiles in %s", prefix, sum, outDir)
		if r := c.String("report"); r != "" {
			line += ", report in " + r
		}
		fmt.Fprintln(e.stderr, line)
	}
	if sum.Failed > 0 {
		return failure{}
	}
	if sum.Compiled == 0 {
		// Nothing to deliver is a failure too: a script must not take an
		// export with no IKEv2 VPN configuration for a good run.
		if !printer.json {
			fmt.Fprintf(e.stderr, "%sbatch: nothing compiled: %s\n", prefix, nothingCompiled(sum))
		}
		return failure{}
	}
	return nil
}

// nothingCompiled says why a batch compiled nothing.
func nothingCompiled(s batch.Summary) string {
	switch {
	case s.Files == 0:
		return "no input file was found (folders are searched for *.json files)"
	case s.Entities == s.SkippedFiles:
		return "every file was skipped as not a device configuration"
	}
	return fmt.Sprintf("none of the %d entities is a microsoft.graph.iosikEv2VpnConfiguration (see the skipped entities, with -v or in --report)", s.Entities-s.SkippedFiles)
}
