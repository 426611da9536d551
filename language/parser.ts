// The Chevrotain CstParser for Par's Python subset. Rules follow Python's grammar (test, or_test,
// and_test, not_test, comparison, ..., factor, atom), except that the six binary-operator levels
// are one flat rule whose precedence the AST builder applies. Some Python constructs
// Par rejects (class, try, comprehensions, decorators, ...) are parsed loosely on purpose: the
// CST-to-AST pass then says "X is not supported in Par" instead of a baffling syntax error.
// Compound statements are split into a header rule ending at ':' and a suite, so that error
// recovery resyncs at the end of a broken header and still parses the block below it.
import { CstParser, EOF, tokenMatcher } from './chevrotain.js';
import type { IParserErrorMessageProvider, IToken, TokenType } from 'chevrotain';
import * as T from './lexer.js';

const expressionRules = new Set([
  'test', 'orTest', 'andTest', 'notTest', 'comparison', 'binary', 'factor', 'atom', 'testList', 'exprList',
  'testListComp',
]);
const colonContext: Record<string, string> = {
  ifHeader: 'the condition', elifHeader: 'the condition', whileHeader: 'the condition',
  elseHeader: "'else'", forHeader: 'the for clause', funcHeader: 'the function signature',
  withHeader: 'the with items', lambdef: 'the lambda parameters',
};

const found = (t: IToken) => T.describeToken(t);
const label = (t: TokenType) => (t === EOF ? 'end of file' : t.LABEL ?? t.name);

/** Messages in Par's voice: say what was expected and what was found. */
const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, ruleName }) {
    if (actual.tokenType === T.Indent) return 'unexpected indent';
    if (expected === T.Indent) return `expected an indented block, found ${found(actual)}`;
    // Only the statement loops expect EOF or DEDENT: the token cannot start a statement.
    if (expected === EOF || expected === T.Dedent) return `expected a statement, found ${found(actual)}`;
    if (expected === T.Colon && colonContext[ruleName]) {
      return `expected ':' after ${colonContext[ruleName]}, found ${found(actual)}`;
    }
    return `expected ${label(expected)}, found ${found(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return firstRedundant.tokenType === T.Indent ? 'unexpected indent' : `unexpected ${found(firstRedundant)}`;
  },
  buildNoViableAltMessage({ actual, ruleName }) {
    const tok = actual[0];
    if (tok.tokenType === T.Indent) return 'unexpected indent';
    if (expressionRules.has(ruleName)) return `expected an expression, found ${found(tok)}`;
    if (ruleName === 'statement' || ruleName === 'smallStmt') return `expected a statement, found ${found(tok)}`;
    if (ruleName === 'subscript') return `expected an index or a slice, found ${found(tok)}`;
    if (ruleName === 'param' || ruleName === 'lambdaParam') return `expected a parameter name, found ${found(tok)}`;
    if (ruleName === 'importFrom') return `expected the names to import, found ${found(tok)}`;
    return `unexpected ${found(tok)}`;
  },
  buildEarlyExitMessage({ actual, ruleName }) {
    const tok = actual[0];
    if (tok.tokenType === T.Indent) return 'unexpected indent';
    if (ruleName === 'suite') return `expected a statement, found ${found(tok)}`;
    return `unexpected ${found(tok)}`;
  },
};

/** Chevrotain internals used by the resync override below (not in its public typings). */
interface Resync { flattenFollowSet(): TokenType[] }

export class ParParser extends CstParser {
  /**
   * `validate`: run Chevrotain's grammar checks (ambiguities, left recursion; they throw). They cost
   * ~80 ms of a start-up, so the shared parser skips them and test/parser.test.ts runs them.
   */
  constructor({ validate = false } = {}) {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider: messages, skipValidations: !validate });
    this.performSelfAnalysis();
  }

  // Chevrotain resyncs at the first upcoming token that may follow any rule on the stack. In a
  // line-based grammar that is usually a name in the middle of the broken line, and the rest of
  // the line then cascades into more errors. Resyncing only at line ends (and block ends) loses
  // just the broken statement. The candidates are filtered from the stack's own follow set, so
  // some rule on the stack can still resync at the token chosen, as Chevrotain requires.
  protected findReSyncTokenType(): TokenType {
    const follows = (this as unknown as Resync).flattenFollowSet()
      .filter((t) => t === T.Newline || t === T.Dedent || t === EOF);
    for (let k = 1; ; k++) {
      const tok = this.LA(k);
      const hit = follows.find((t) => tokenMatcher(tok, t));
      if (hit) return hit;
      if (tok.tokenType === EOF) return EOF;
    }
  }
  // An invented NEWLINE or INDENT would glue the next line onto the broken one (or nest the rest
  // of the file), and an invented ':' in the middle of a header (`if x y:`) would turn the rest
  // of the line into a one-line body; resyncing at the line end is better in all three cases.
  protected canTokenTypeBeInsertedInRecovery(t: TokenType): boolean {
    if (t === T.Colon) return this.LA(1).tokenType === T.Newline;
    return t !== T.Newline && t !== T.Indent;
  }

  // ---------------- statements ----------------
  module = this.RULE('module', () => {
    this.MANY(() => this.OR([
      { ALT: () => this.CONSUME(T.Newline) },
      { ALT: () => this.SUBRULE(this.statement) },
    ]));
  });

  statement = this.RULE('statement', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.ifStmt) },
      { ALT: () => this.SUBRULE(this.whileStmt) },
      { ALT: () => this.SUBRULE(this.forStmt) },
      { ALT: () => this.SUBRULE(this.funcDef) },
      { ALT: () => this.SUBRULE(this.withStmt) },
      { ALT: () => this.SUBRULE(this.classDef) },
      { ALT: () => this.SUBRULE(this.tryStmt) },
      { ALT: () => this.SUBRULE(this.decorated) },
      { ALT: () => this.SUBRULE(this.asyncStmt) },
      { ALT: () => this.SUBRULE(this.simpleStmts) },
    ]);
  });

  /** `a = 1; b = 2` up to the end of the line. */
  simpleStmts = this.RULE('simpleStmts', () => {
    this.SUBRULE(this.smallStmt);
    this.MANY(() => { this.CONSUME(T.Semicolon); this.SUBRULE2(this.smallStmt); });
    this.OPTION(() => this.CONSUME2(T.Semicolon));
    this.CONSUME(T.Newline);
  });

  smallStmt = this.RULE('smallStmt', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Pass) },
      { ALT: () => this.CONSUME(T.Break) },
      { ALT: () => this.CONSUME(T.Continue) },
      { ALT: () => this.SUBRULE(this.returnStmt) },
      { ALT: () => this.SUBRULE(this.raiseStmt) },
      { ALT: () => this.SUBRULE(this.assertStmt) },
      { ALT: () => this.SUBRULE(this.importStmt) },
      { ALT: () => this.SUBRULE(this.importFrom) },
      { ALT: () => this.SUBRULE(this.globalStmt) },
      { ALT: () => this.SUBRULE(this.delStmt) },
      { ALT: () => this.SUBRULE(this.exprStmt) },
    ]);
  });

  /** Expression statement, assignment (chained, tuple), annotated or augmented assignment. */
  exprStmt = this.RULE('exprStmt', () => {
    this.SUBRULE(this.testList, { LABEL: 'lhs' });
    this.OPTION(() => this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Colon);
          this.SUBRULE(this.test, { LABEL: 'annotation' });
          this.OPTION2(() => {
            this.CONSUME(T.Equals);
            this.SUBRULE2(this.testList, { LABEL: 'annValue' });
          });
        },
      },
      { ALT: () => { this.CONSUME(T.AugAssign); this.SUBRULE3(this.testList, { LABEL: 'augValue' }); } },
      {
        ALT: () => this.AT_LEAST_ONE(() => {
          this.CONSUME2(T.Equals);
          this.SUBRULE4(this.testList, { LABEL: 'rhs' });
        }),
      },
    ]));
  });

  returnStmt = this.RULE('returnStmt', () => {
    this.CONSUME(T.Return);
    this.OPTION(() => this.SUBRULE(this.testList));
  });

  raiseStmt = this.RULE('raiseStmt', () => {
    this.CONSUME(T.Raise);
    this.OPTION(() => {
      this.SUBRULE(this.test, { LABEL: 'exc' });
      this.OPTION2(() => { this.CONSUME(T.From); this.SUBRULE2(this.test, { LABEL: 'cause' }); });
    });
  });

  assertStmt = this.RULE('assertStmt', () => {
    this.CONSUME(T.Assert);
    this.SUBRULE(this.test, { LABEL: 'cond' });
    this.OPTION(() => { this.CONSUME(T.Comma); this.SUBRULE2(this.test, { LABEL: 'msg' }); });
  });

  importStmt = this.RULE('importStmt', () => {
    this.CONSUME(T.Import);
    this.SUBRULE(this.dottedAsName);
    this.MANY(() => { this.CONSUME(T.Comma); this.SUBRULE2(this.dottedAsName); });
  });

  dottedAsName = this.RULE('dottedAsName', () => {
    this.SUBRULE(this.dottedName);
    this.OPTION(() => { this.CONSUME(T.As); this.CONSUME(T.Identifier); });
  });

  dottedName = this.RULE('dottedName', () => {
    this.CONSUME(T.Identifier);
    this.MANY(() => { this.CONSUME(T.Dot); this.CONSUME2(T.Identifier); });
  });

  importFrom = this.RULE('importFrom', () => {
    this.CONSUME(T.From);
    this.MANY(() => this.CONSUME(T.Dot, { LABEL: 'relative' }));
    this.OPTION(() => this.SUBRULE(this.dottedName));
    this.CONSUME(T.Import);
    this.OR([
      { ALT: () => this.CONSUME(T.Star) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.importAsNames);
          this.CONSUME(T.RParen);
        },
      },
      { ALT: () => this.SUBRULE2(this.importAsNames) },
    ]);
  });

  importAsNames = this.RULE('importAsNames', () => {
    this.SUBRULE(this.importAsName);
    this.MANY(() => { this.CONSUME(T.Comma); this.SUBRULE2(this.importAsName); });
    this.OPTION(() => this.CONSUME2(T.Comma));
  });

  importAsName = this.RULE('importAsName', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => { this.CONSUME(T.As); this.CONSUME2(T.Identifier, { LABEL: 'asName' }); });
  });

  /** `global x` / `nonlocal x`: parsed only to be rejected. */
  globalStmt = this.RULE('globalStmt', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Global) }, { ALT: () => this.CONSUME(T.Nonlocal) }]);
    this.CONSUME(T.Identifier);
    this.MANY(() => { this.CONSUME(T.Comma); this.CONSUME2(T.Identifier); });
  });

  /** `del x`: parsed only to be rejected. */
  delStmt = this.RULE('delStmt', () => {
    this.CONSUME(T.Del);
    this.SUBRULE(this.testList);
  });

  /** A block: the rest of the header's line, or an indented run of statements. A line break
   *  with no indented block after it is accepted here and reported by the AST builder, which
   *  knows which header it belongs to; the next line then parses normally. */
  suite = this.RULE('suite', () => {
    this.OR({
      IGNORE_AMBIGUITIES: true, // alternatives are tried in order; the third is a prefix of the second
      DEF: [
        { ALT: () => this.SUBRULE(this.simpleStmts) },
        {
          ALT: () => {
            this.CONSUME(T.Newline);
            this.CONSUME(T.Indent);
            this.AT_LEAST_ONE(() => this.OR2([
              { ALT: () => this.CONSUME2(T.Newline) },
              { ALT: () => this.SUBRULE(this.statement) },
            ]));
            this.CONSUME(T.Dedent);
          },
        },
        { ALT: () => this.CONSUME3(T.Newline, { LABEL: 'missingBlock' }) },
      ],
    });
  });

  ifStmt = this.RULE('ifStmt', () => {
    this.SUBRULE(this.ifHeader);
    this.SUBRULE(this.suite, { LABEL: 'body' });
    this.MANY(() => {
      this.SUBRULE(this.elifHeader);
      this.SUBRULE2(this.suite, { LABEL: 'elifBody' });
    });
    this.OPTION(() => {
      this.SUBRULE(this.elseHeader);
      this.SUBRULE3(this.suite, { LABEL: 'orelse' });
    });
  });

  ifHeader = this.RULE('ifHeader', () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.test);
    this.CONSUME(T.Colon);
  });

  elifHeader = this.RULE('elifHeader', () => {
    this.CONSUME(T.Elif);
    this.SUBRULE(this.test);
    this.CONSUME(T.Colon);
  });

  elseHeader = this.RULE('elseHeader', () => {
    this.CONSUME(T.Else);
    this.CONSUME(T.Colon);
  });

  whileStmt = this.RULE('whileStmt', () => {
    this.SUBRULE(this.whileHeader);
    this.SUBRULE(this.suite, { LABEL: 'body' });
    this.OPTION(() => {
      this.SUBRULE(this.elseHeader);
      this.SUBRULE2(this.suite, { LABEL: 'orelse' });
    });
  });

  whileHeader = this.RULE('whileHeader', () => {
    this.CONSUME(T.While);
    this.SUBRULE(this.test);
    this.CONSUME(T.Colon);
  });

  forStmt = this.RULE('forStmt', () => {
    this.SUBRULE(this.forHeader);
    this.SUBRULE(this.suite, { LABEL: 'body' });
    this.OPTION(() => {
      this.SUBRULE(this.elseHeader);
      this.SUBRULE2(this.suite, { LABEL: 'orelse' });
    });
  });

  forHeader = this.RULE('forHeader', () => {
    this.CONSUME(T.For);
    this.SUBRULE(this.exprList, { LABEL: 'target' });
    this.CONSUME(T.In);
    this.SUBRULE(this.testList, { LABEL: 'iter' });
    this.CONSUME(T.Colon);
  });

  funcDef = this.RULE('funcDef', () => {
    this.SUBRULE(this.funcHeader);
    this.SUBRULE(this.suite, { LABEL: 'body' });
  });

  funcHeader = this.RULE('funcHeader', () => {
    this.CONSUME(T.Def);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.param);
      this.MANY(() => { this.CONSUME(T.Comma); this.SUBRULE2(this.param); });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RParen);
    this.OPTION3(() => { this.CONSUME(T.Arrow); this.SUBRULE(this.test, { LABEL: 'returns' }); });
    this.CONSUME(T.Colon);
  });

  /** `n: int = 3`; also `*args`, `**kwargs` and a bare `*`, which are rejected later. */
  param = this.RULE('param', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Star);
          this.OPTION(() => {
            this.CONSUME(T.Identifier, { LABEL: 'starName' });
            this.OPTION2(() => { this.CONSUME(T.Colon); this.SUBRULE(this.test, { LABEL: 'starAnnotation' }); });
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Pow);
          this.CONSUME2(T.Identifier, { LABEL: 'starName' });
          this.OPTION3(() => { this.CONSUME2(T.Colon); this.SUBRULE2(this.test, { LABEL: 'starAnnotation' }); });
        },
      },
      {
        ALT: () => {
          this.CONSUME3(T.Identifier, { LABEL: 'name' });
          this.OPTION4(() => { this.CONSUME3(T.Colon); this.SUBRULE3(this.test, { LABEL: 'annotation' }); });
          this.OPTION5(() => { this.CONSUME(T.Equals); this.SUBRULE4(this.test, { LABEL: 'default' }); });
        },
      },
    ]);
  });

  withStmt = this.RULE('withStmt', () => {
    this.SUBRULE(this.withHeader);
    this.SUBRULE(this.suite, { LABEL: 'body' });
  });

  withHeader = this.RULE('withHeader', () => {
    this.CONSUME(T.With);
    this.SUBRULE(this.withItem);
    this.MANY(() => { this.CONSUME(T.Comma); this.SUBRULE2(this.withItem); });
    this.CONSUME(T.Colon);
  });

  withItem = this.RULE('withItem', () => {
    this.SUBRULE(this.test);
    this.OPTION(() => { this.CONSUME(T.As); this.CONSUME(T.Identifier); });
  });

  // ---- Python statements outside the subset: parsed so they can be named in a clear message ----
  classDef = this.RULE('classDef', () => {
    this.SUBRULE(this.classHeader);
    this.SUBRULE(this.suite);
  });

  classHeader = this.RULE('classHeader', () => {
    this.CONSUME(T.Class);
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.OPTION2(() => this.SUBRULE(this.argList));
      this.CONSUME(T.RParen);
    });
    this.CONSUME(T.Colon);
  });

  tryStmt = this.RULE('tryStmt', () => {
    this.SUBRULE(this.tryHeader);
    this.SUBRULE(this.suite);
    this.MANY(() => { this.SUBRULE(this.exceptHeader); this.SUBRULE2(this.suite); });
    this.OPTION(() => { this.SUBRULE(this.elseHeader); this.SUBRULE3(this.suite); });
    this.OPTION2(() => { this.SUBRULE(this.finallyHeader); this.SUBRULE4(this.suite); });
  });

  tryHeader = this.RULE('tryHeader', () => {
    this.CONSUME(T.Try);
    this.CONSUME(T.Colon);
  });

  exceptHeader = this.RULE('exceptHeader', () => {
    this.CONSUME(T.Except);
    this.OPTION(() => {
      this.SUBRULE(this.test);
      this.OPTION2(() => { this.CONSUME(T.As); this.CONSUME(T.Identifier); });
    });
    this.CONSUME(T.Colon);
  });

  finallyHeader = this.RULE('finallyHeader', () => {
    this.CONSUME(T.Finally);
    this.CONSUME(T.Colon);
  });

  /** `@decorator` lines before a def or class. */
  decorated = this.RULE('decorated', () => {
    this.AT_LEAST_ONE(() => {
      this.CONSUME(T.At);
      this.SUBRULE(this.test);
      this.CONSUME(T.Newline);
    });
    this.OR([
      { ALT: () => this.SUBRULE(this.funcDef) },
      { ALT: () => this.SUBRULE(this.classDef) },
      { ALT: () => this.SUBRULE(this.asyncStmt) },
    ]);
  });

  asyncStmt = this.RULE('asyncStmt', () => {
    this.CONSUME(T.Async);
    this.OR([
      { ALT: () => this.SUBRULE(this.funcDef) },
      { ALT: () => this.SUBRULE(this.withStmt) },
      { ALT: () => this.SUBRULE(this.forStmt) },
    ]);
  });

  // ---------------- expressions, loosest first ----------------
  /** Comma-separated expressions: a bare tuple when there is a comma. */
  testList = this.RULE('testList', () => {
    this.SUBRULE(this.test);
    this.MANY(() => { this.CONSUME(T.Comma); this.SUBRULE2(this.test); });
    this.OPTION(() => this.CONSUME2(T.Comma));
  });

  /** Loop targets: like testList but without comparisons, so `in` is left for the for. */
  exprList = this.RULE('exprList', () => {
    this.SUBRULE(this.binary);
    this.MANY(() => { this.CONSUME(T.Comma); this.SUBRULE2(this.binary); });
    this.OPTION(() => this.CONSUME2(T.Comma));
  });

  /** A full expression: lambda or `body if cond else orelse`. */
  test = this.RULE('test', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.lambdef) },
      {
        ALT: () => {
          this.SUBRULE(this.orTest, { LABEL: 'body' });
          this.OPTION(() => {
            this.CONSUME(T.If);
            this.SUBRULE2(this.orTest, { LABEL: 'cond' });
            this.CONSUME(T.Else);
            this.SUBRULE(this.test, { LABEL: 'orelse' });
          });
        },
      },
    ]);
  });

  lambdef = this.RULE('lambdef', () => {
    this.CONSUME(T.Lambda);
    this.OPTION(() => {
      this.SUBRULE(this.lambdaParam);
      this.MANY(() => { this.CONSUME(T.Comma); this.SUBRULE2(this.lambdaParam); });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.test, { LABEL: 'body' });
  });

  lambdaParam = this.RULE('lambdaParam', () => {
    this.OR([
      { ALT: () => { this.CONSUME(T.Star); this.OPTION(() => this.CONSUME(T.Identifier, { LABEL: 'starName' })); } },
      { ALT: () => { this.CONSUME(T.Pow); this.CONSUME2(T.Identifier, { LABEL: 'starName' }); } },
      {
        ALT: () => {
          this.CONSUME3(T.Identifier, { LABEL: 'name' });
          this.OPTION2(() => { this.CONSUME(T.Equals); this.SUBRULE(this.test, { LABEL: 'default' }); });
        },
      },
    ]);
  });

  orTest = this.RULE('orTest', () => {
    this.SUBRULE(this.andTest);
    this.MANY(() => { this.CONSUME(T.Or); this.SUBRULE2(this.andTest); });
  });

  andTest = this.RULE('andTest', () => {
    this.SUBRULE(this.notTest);
    this.MANY(() => { this.CONSUME(T.And); this.SUBRULE2(this.notTest); });
  });

  notTest = this.RULE('notTest', () => {
    this.OR([
      { ALT: () => { this.CONSUME(T.Not); this.SUBRULE(this.notTest); } },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]);
  });

  /** Chained comparisons keep every operand: `a < b <= c`. */
  comparison = this.RULE('comparison', () => {
    this.SUBRULE(this.binary);
    this.MANY(() => { this.SUBRULE(this.compOp); this.SUBRULE2(this.binary); });
  });

  compOp = this.RULE('compOp', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.CompareOp) },
      { ALT: () => this.CONSUME(T.In) },
      { ALT: () => { this.CONSUME(T.Not); this.CONSUME2(T.In); } },
      { ALT: () => { this.CONSUME(T.Is); this.OPTION(() => this.CONSUME2(T.Not)); } },
    ]);
  });

  /** All the left-associative binary operators in one flat list; the AST builder groups them
   *  by Python's precedence. One rule instead of six keeps the CST (and the stack) shallow:
   *  every operand used to pass through a rule per precedence level. */
  binary = this.RULE('binary', () => {
    this.SUBRULE(this.factor);
    this.MANY(() => { this.CONSUME(T.BinaryOp); this.SUBRULE2(this.factor); });
  });

  /** Unary `- + ~`, or an atom with its calls, subscripts and attributes, then maybe `** factor`.
   *  The exponent is a factor, so `-2**2` is `-(2**2)`, `2**-1` works and `**` is right-assoc. */
  factor = this.RULE('factor', () => {
    this.OR([
      { ALT: () => { this.CONSUME(T.UnaryOp); this.SUBRULE(this.factor, { LABEL: 'operand' }); } },
      {
        ALT: () => {
          this.OPTION(() => this.CONSUME(T.Await));
          this.SUBRULE(this.atom);
          this.MANY(() => this.SUBRULE(this.trailer));
          this.OPTION2(() => { this.CONSUME(T.Pow); this.SUBRULE2(this.factor, { LABEL: 'exponent' }); });
        },
      },
    ]);
  });

  trailer = this.RULE('trailer', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.OPTION(() => this.SUBRULE(this.argList));
          this.CONSUME(T.RParen);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LBracket);
          this.SUBRULE(this.subscript);
          this.MANY(() => { this.CONSUME(T.Comma); this.SUBRULE2(this.subscript); });
          this.OPTION2(() => this.CONSUME2(T.Comma));
          this.CONSUME(T.RBracket);
        },
      },
      { ALT: () => { this.CONSUME(T.Dot); this.CONSUME(T.Identifier); } },
    ]);
  });

  /** One index: an expression, a slice `lower:upper:step` with any part omitted, or `...`. */
  subscript = this.RULE('subscript', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Ellipsis) },
      {
        ALT: () => {
          this.SUBRULE(this.test, { LABEL: 'lower' });
          this.OPTION(() => this.SUBRULE(this.sliceTail));
        },
      },
      { ALT: () => this.SUBRULE2(this.sliceTail) },
    ]);
  });

  sliceTail = this.RULE('sliceTail', () => {
    this.CONSUME(T.Colon);
    this.OPTION(() => this.SUBRULE(this.test, { LABEL: 'upper' }));
    this.OPTION2(() => {
      this.CONSUME2(T.Colon);
      this.OPTION3(() => this.SUBRULE2(this.test, { LABEL: 'step' }));
    });
  });

  argList = this.RULE('argList', () => {
    this.SUBRULE(this.argument);
    this.MANY(() => { this.CONSUME(T.Comma); this.SUBRULE2(this.argument); });
    this.OPTION(() => this.CONSUME2(T.Comma));
  });

  argument = this.RULE('argument', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Identifier, { LABEL: 'keyword' });
          this.CONSUME(T.Equals);
          this.SUBRULE(this.test, { LABEL: 'value' });
        },
      },
      { ALT: () => { this.CONSUME(T.Star); this.SUBRULE2(this.test, { LABEL: 'starred' }); } },
      { ALT: () => { this.CONSUME(T.Pow); this.SUBRULE3(this.test, { LABEL: 'starred' }); } },
      {
        ALT: () => {
          this.SUBRULE4(this.test, { LABEL: 'value' });
          this.OPTION(() => this.SUBRULE(this.compFor));
        },
      },
    ]);
  });

  atom = this.RULE('atom', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.OPTION(() => this.SUBRULE(this.testListComp));
          this.CONSUME(T.RParen);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LBracket);
          this.OPTION2(() => this.SUBRULE2(this.testListComp));
          this.CONSUME(T.RBracket);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LBrace);
          this.OPTION3(() => this.SUBRULE(this.dictOrSet));
          this.CONSUME(T.RBrace);
        },
      },
      { ALT: () => this.CONSUME(T.Identifier) },
      { ALT: () => this.CONSUME(T.IntLit) },
      { ALT: () => this.CONSUME(T.FloatLit) },
      { ALT: () => this.CONSUME(T.ImagLit) },
      { ALT: () => this.AT_LEAST_ONE(() => this.CONSUME(T.StringLit)) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.None) },
      {
        ALT: () => {
          this.CONSUME(T.Yield);
          this.OPTION4(() => {
            this.OPTION5(() => this.CONSUME(T.From));
            this.SUBRULE(this.test);
          });
        },
      },
    ]);
  });

  /** Inside `(...)` or `[...]`: elements, or one element and a comprehension. */
  testListComp = this.RULE('testListComp', () => {
    this.SUBRULE(this.test);
    this.OR([
      { ALT: () => this.SUBRULE(this.compFor) },
      {
        ALT: () => {
          this.MANY(() => { this.CONSUME(T.Comma); this.SUBRULE2(this.test); });
          this.OPTION(() => this.CONSUME2(T.Comma));
        },
      },
    ]);
  });

  /** `for x in xs if c`, after the element of a list comprehension or a generator expression. */
  compFor = this.RULE('compFor', () => {
    this.AT_LEAST_ONE(() => {
      this.OPTION(() => this.CONSUME(T.Async));
      this.CONSUME(T.For);
      this.SUBRULE(this.exprList, { LABEL: 'target' });
      this.CONSUME(T.In);
      this.SUBRULE(this.orTest, { LABEL: 'iter' });
      this.MANY(() => { this.CONSUME(T.If); this.SUBRULE2(this.orTest, { LABEL: 'cond' }); });
    });
  });

  /** `{...}`: dict and set displays are rejected, but parsed to say which. */
  dictOrSet = this.RULE('dictOrSet', () => {
    this.SUBRULE(this.dictItem);
    this.OR([
      { ALT: () => this.SUBRULE(this.compFor) },
      {
        ALT: () => {
          this.MANY(() => { this.CONSUME(T.Comma); this.SUBRULE2(this.dictItem); });
          this.OPTION(() => this.CONSUME2(T.Comma));
        },
      },
    ]);
  });

  dictItem = this.RULE('dictItem', () => {
    this.OR([
      { ALT: () => { this.CONSUME(T.Pow); this.SUBRULE(this.binary); } },
      {
        ALT: () => {
          this.SUBRULE(this.test);
          this.OPTION(() => { this.CONSUME(T.Colon); this.SUBRULE2(this.test); });
        },
      },
    ]);
  });
}

/** The one shared parser instance (building a Chevrotain parser is costly; reusing it is not). */
export const parser = new ParParser();
