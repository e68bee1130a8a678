package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/conflux-dev/conflux/dashboards"
	"github.com/conflux-dev/conflux/internal/auth"
	"github.com/conflux-dev/conflux/internal/warehouse"
)

// adminOp runs one users, tokens or audit operation: in the server when
// `conflux serve` holds the warehouse, else on the file. out receives the
// answer decoded as JSON.
func adminOp(cmd *cobra.Command, g *globals, op string, req dashboards.AdminRequest, out any) error {
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	decode := func(v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		return json.Unmarshal(b, out)
	}
	return withWarehouse(ctx, cfg, func(wh *warehouse.Warehouse) error {
		users := auth.NewStore(wh.DB())
		v, err := dashboards.Admin(ctx, users, op, req)
		if err != nil {
			return usageError{err}
		}
		if op != "audit" && !strings.HasSuffix(op, "-list") {
			users.Audit(ctx, auth.Entry{Actor: "cli", Action: op, Detail: dashboards.AdminDetail(op, req)})
		}
		return decode(v)
	}, func(info *serverInfo) error {
		resp, err := postJSON(ctx, info, "/api/admin/"+op, req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			var e struct{ Error string }
			if json.Unmarshal(body, &e) == nil && e.Error != "" {
				return usageError{errors.New(e.Error)}
			}
			return fmt.Errorf("%s on %s: HTTP %d", op, info.URL, resp.StatusCode)
		}
		return json.Unmarshal(body, out)
	})
}

// readPassword reads a password from the first line of stdin.
func readPassword(cmd *cobra.Command) (string, error) {
	line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", usageError{errors.New("--password-stdin: no password on standard input (echo it in, or pipe it from a password manager)")}
	}
	return pw, nil
}

func newUsersCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "users",
		Short: "Add, list and remove the people who may sign in to `conflux serve`",
		Long: `Users manages who may sign in when server.auth is local or oidc, and with
what role: admin, finance, leadership, ops or lead (a lead sees only the
rows of the clients and teams given with --clients and --teams). Passwords
are read from standard input, never from the command line, and stored as
bcrypt hashes. While 'conflux serve' holds the warehouse, the server does
the work.`,
		Example: `  echo "$PASSWORD" | conflux users add ana@northwind.example --role finance --password-stdin
  conflux users add lee@northwind.example --role lead --clients "Acme Ltd" --teams Designer --password-stdin < pw.txt
  conflux users list`,
	}
	var role string
	var clients, teams []string
	var withPassword bool
	add := &cobra.Command{
		Use:   "add EMAIL",
		Short: "Add a user with a role",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if role == "" {
				return usageError{fmt.Errorf("--role is required: one of %s", strings.Join(auth.Roles, ", "))}
			}
			req := dashboards.AdminRequest{Email: args[0], Role: role, Clients: clients, Teams: teams}
			if withPassword {
				pw, err := readPassword(cmd)
				if err != nil {
					return err
				}
				req.Password = pw
			}
			var u auth.User
			if err := adminOp(cmd, g, "users-add", req, &u); err != nil {
				return err
			}
			how := "with a password"
			if !u.Password {
				how = "without a password: they sign in through OIDC"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "added %s as %s, %s\n", u.Email, u.Role, how)
			return nil
		},
	}
	add.Flags().StringVar(&role, "role", "", "admin, finance, leadership, ops or lead (required)")
	add.Flags().StringSliceVar(&clients, "clients", nil, `a lead's clients, by name or key, comma-separated (quote a name with a comma: --clients '"Smith, Jones & Co",Acme')`)
	add.Flags().StringSliceVar(&teams, "teams", nil, "a lead's teams, comma-separated")
	add.Flags().BoolVar(&withPassword, "password-stdin", false, "read the password from standard input")
	list := &cobra.Command{
		Use:   "list",
		Short: "List the users",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var users []auth.User
			if err := adminOp(cmd, g, "users-list", dashboards.AdminRequest{}, &users); err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "EMAIL\tROLE\tCLIENTS\tTEAMS\tPASSWORD\tADDED")
			for _, u := range users {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\t%s\n", u.Email, u.Role, strings.Join(u.Clients, ","), strings.Join(u.Teams, ","), u.Password, u.Created.Format(time.DateOnly))
			}
			return tw.Flush()
		},
	}
	remove := &cobra.Command{
		Use:   "remove EMAIL",
		Short: "Remove a user, their sessions and their tokens",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var out map[string]string
			if err := adminOp(cmd, g, "users-remove", dashboards.AdminRequest{Email: args[0]}, &out); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed %s\n", args[0])
			return nil
		},
	}
	passwd := &cobra.Command{
		Use:   "passwd EMAIL",
		Short: "Set a user's password (read from standard input); their sessions end",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pw, err := readPassword(cmd)
			if err != nil {
				return err
			}
			var out map[string]string
			if err := adminOp(cmd, g, "users-passwd", dashboards.AdminRequest{Email: args[0], Password: pw}, &out); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "changed the password of %s\n", args[0])
			return nil
		},
	}
	passwd.Flags().Bool("password-stdin", true, "read the password from standard input (the only way)")
	cmd.AddCommand(add, list, remove, passwd)
	return cmd
}

func newTokensCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tokens",
		Short: "API tokens for scripts and notebooks (Authorization: Bearer)",
		Long: `Tokens gives a user's scripts a bearer token with the user's role and
scope: 'curl -H "Authorization: Bearer cfx_…" http://…/api/reports/entries?format=csv'.
A token is printed once, when it is made, and stored only as a hash.`,
	}
	var user, name string
	create := &cobra.Command{
		Use:   "create",
		Short: "Make a token for a user and print it, once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if user == "" || name == "" {
				return usageError{errors.New("--user and --name are required")}
			}
			var out map[string]string
			if err := adminOp(cmd, g, "tokens-create", dashboards.AdminRequest{Email: user, Name: name}, &out); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s\n", out["token"])
			fmt.Fprintf(cmd.ErrOrStderr(), "token %q for %s: keep it now, it is not shown again\n", name, user)
			return nil
		},
	}
	create.Flags().StringVar(&user, "user", "", "whose rights the token carries (required)")
	create.Flags().StringVar(&name, "name", "", "a name to list and revoke it by (required)")
	list := &cobra.Command{
		Use:   "list",
		Short: "List the tokens (never their values)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var toks []auth.Token
			if err := adminOp(cmd, g, "tokens-list", dashboards.AdminRequest{}, &toks); err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tUSER\tCREATED\tLAST USED\tREVOKED")
			day := func(t *time.Time) string {
				if t == nil {
					return "—"
				}
				return t.Format("2006-01-02 15:04")
			}
			for _, t := range toks {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Name, t.Email, t.Created.Format(time.DateOnly), day(t.LastUsed), day(t.Revoked))
			}
			return tw.Flush()
		},
	}
	revoke := &cobra.Command{
		Use:   "revoke NAME",
		Short: "Stop a token working",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var out map[string]string
			if err := adminOp(cmd, g, "tokens-revoke", dashboards.AdminRequest{Name: args[0]}, &out); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "revoked %s\n", args[0])
			return nil
		},
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}

func newAuditCmd(g *globals) *cobra.Command {
	var since string
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Who signed in, exported, queried, refreshed and decided",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var entries []auth.Entry
			if err := adminOp(cmd, g, "audit", dashboards.AdminRequest{Since: since}, &entries); err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "WHEN\tWHO\tWHAT\tDETAIL\tFROM")
			for _, e := range entries {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.At.Format("2006-01-02 15:04:05"), e.Actor, e.Action, e.Detail, e.Address)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&since, "since", "7d", "how far back: 24h, 7d, 30d")
	return cmd
}
