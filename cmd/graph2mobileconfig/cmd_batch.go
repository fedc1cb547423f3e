package main

import (
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig/batch"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
)

func batchCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "batch",
		Usage:     "compile every IKEv2 VPN configuration in files, folders and tenant exports",
		ArgsUsage: "INPUT... (files, folders, or - for standard input)",
		Description: "Each INPUT is a Graph export file (a single entity, {\"value\": ...} or a list response;\n" +
			"the pages of a paged export are simply several files), a folder whose *.json files are read\n" +
			"recursively in name order (hidden files and folders are skipped), or - for standard input.\n" +
			"Every microsoft.graph.iosikEv2VpnConfiguration becomes OUT-DIR/<displayName>-<id hash>.mobileconfig;\n" +
			"other entities are skipped. One bad input never stops the others; the exit status is 1 when any\n" +
			"entity failed. --report writes a JSON record of every entity: source, JSON path, id, displayName,\n" +
			"status, output path, SHA-256 of the output and diagnostics.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "out-dir", Usage: "`FOLDER` to write the profiles to (created if missing)"},
			&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: runtime.NumCPU(), Usage: "compile `N` entities at once"},
			&cli.StringFlag{Name: "report", Usage: "write a JSON report of every entity to `FILE`"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress, and no summary line unless something failed"},
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
	if c.Int("jobs") < 1 {
		return usagef("--jobs %d: want 1 or more", c.Int("jobs"))
	}
	if c.String("report") == "-" {
		return usagef("--report needs a FILE (standard output cannot be written atomically)")
	}
	popts, printer, err := pipelineOptions(c, e)
	if err != nil {
		return err
	}
	quiet := c.Bool("quiet")
	const prefix = "graph2mobileconfig: "
	var meter *batch.ProgressMeter
	if !quiet && !printer.json {
		meter = batch.NewProgressMeter(e.stderr, e.stderrIsTerminal, prefix+"batch: ")
	}
	clearBar := func() {
		if meter != nil {
			meter.Clear()
		}
	}
	jsonLine := func(v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(e.stderr, "%s\n", b)
	}
	opts := batch.Options{
		Pipeline:     popts,
		OutDir:       outDir,
		Jobs:         c.Int("jobs"),
		MaxInputSize: c.Int64("max-input-size"),
		Force:        c.Bool("force"),
		Report:       c.String("report"),
		Stdin:        e.stdin,
		Tracker:      e.tracker,
		Protect:      e.inputs.list(),
		OnEntry: func(en batch.Entry) {
			if c.Context.Err() != nil {
				// Interrupted: the entities still in flight fail as
				// "cancelled"; listing them would only hide the
				// interrupt message.
				return
			}
			if printer.json {
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
	sum, err := batch.Run(c.Context, inputs, opts)
	if meter != nil {
		meter.Done()
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
	return nil
}
