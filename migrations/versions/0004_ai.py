"""ai: strategy templates (seeded), price bars, governed AI requests and their policies (seeded per tier)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 03:26:03.666205

"""
from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate emits sqlmodel.sql.sqltypes.AutoString)
from datetime import datetime, timezone
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


# The `usertier` type belongs to revision 0001: PostgreSQL reuses it (creating it again would fail, and
# dropping it here would break `users`); SQLite gets its own CHECK constraint per column.
TIERS = ('free', 'pro', 'enterprise')


def usertier():
    return sa.Enum(*TIERS, name='usertier', create_constraint=True).with_variant(
        postgresql.ENUM(*TIERS, name='usertier', create_type=False), 'postgresql'
    )


def _param(name, type_, default, minimum=None, maximum=None, description=''):
    return {'name': name, 'type': type_, 'default': default, 'min': minimum, 'max': maximum,
            'description': description}


CAPITAL = _param('initial_capital', 'float', 10000.0, 100.0, 1e9, 'Starting cash in USD.')
FEE = _param('fee_bps', 'float', 0.0, 0.0, 100.0, 'Cost per trade in basis points of the traded value.')

# Seed data is written out here, not imported from the application: a migration must replay the same
# way forever, whatever the code later becomes.
TEMPLATES = [
    {
        'slug': 'sma_crossover',
        'name': 'Moving-average crossover',
        'description': (
            'Trend following: buy when the fast simple moving average of closes crosses above the slow one, '
            'sell when it crosses back below. Long only; trades at the close of the crossing bar.'
        ),
        'category': 'trend',
        'risk_level': 'medium',
        'min_tier': 'free',
        'parameters': [
            _param('fast', 'int', 10, 2, 200, 'Bars in the fast moving average (must be below slow).'),
            _param('slow', 'int', 30, 3, 400, 'Bars in the slow moving average.'),
            CAPITAL, FEE,
        ],
    },
    {
        'slug': 'bollinger_reversion',
        'name': 'Bollinger band mean reversion',
        'description': (
            'Mean reversion: buy when the close falls below the lower Bollinger band (moving average minus '
            'k population standard deviations), sell when it returns to the moving average.'
        ),
        'category': 'mean_reversion',
        'risk_level': 'medium',
        'min_tier': 'free',
        'parameters': [
            _param('window', 'int', 20, 5, 200, 'Bars in the moving average and standard deviation.'),
            _param('num_std', 'float', 2.0, 0.5, 4.0, 'Band width in standard deviations.'),
            CAPITAL, FEE,
        ],
    },
    {
        'slug': 'rsi_momentum',
        'name': 'RSI momentum',
        'description': (
            "Momentum: buy when Wilder's relative strength index rises above the entry level, sell when it "
            'falls below the exit level.'
        ),
        'category': 'momentum',
        'risk_level': 'high',
        'min_tier': 'free',
        'parameters': [
            _param('period', 'int', 14, 2, 100, 'Bars in the RSI (Wilder smoothing).'),
            _param('entry_level', 'float', 55.0, 50.0, 90.0, 'Buy when the RSI rises above this level.'),
            _param('exit_level', 'float', 45.0, 10.0, 50.0, 'Sell when the RSI falls below this level.'),
            CAPITAL, FEE,
        ],
    },
    {
        'slug': 'volatility_breakout',
        'name': 'Volatility breakout',
        'description': (
            'Breakout: buy when the close jumps above the previous close by more than k average true ranges, '
            'sell when the close falls below its moving average over the lookback.'
        ),
        'category': 'breakout',
        'risk_level': 'high',
        'min_tier': 'pro',
        'parameters': [
            _param('lookback', 'int', 20, 5, 200, 'Bars in the average true range and the exit average.'),
            _param('k', 'float', 1.5, 0.5, 5.0, 'Breakout size in average true ranges.'),
            CAPITAL, FEE,
        ],
    },
    {
        'slug': 'pairs_trading',
        'name': 'Pairs trading',
        'description': (
            'Statistical arbitrage on two related symbols: when the z-score of the price ratio over the '
            'lookback exceeds the entry level, short the rich leg and buy the cheap one (dollar neutral); '
            'close both when the z-score falls back inside the exit level.'
        ),
        'category': 'statistical_arbitrage',
        'risk_level': 'high',
        'min_tier': 'pro',
        'parameters': [
            _param('symbol_b', 'symbol', None, None, None, 'The second symbol of the pair (required).'),
            _param('lookback', 'int', 20, 5, 250, 'Bars in the ratio mean and standard deviation.'),
            _param('entry_z', 'float', 2.0, 0.5, 5.0, 'Open the pair when |z| exceeds this.'),
            _param('exit_z', 'float', 0.5, 0.0, 3.0, 'Close the pair when |z| falls below this.'),
            CAPITAL, FEE,
        ],
    },
    {
        'slug': 'dollar_cost_averaging',
        'name': 'Dollar-cost averaging',
        'description': (
            'Accumulation: buy a fixed amount in USD every N bars while cash lasts, never sell. The '
            'benchmark every active strategy should beat.'
        ),
        'category': 'accumulation',
        'risk_level': 'low',
        'min_tier': 'free',
        'parameters': [
            _param('amount', 'float', 100.0, 1.0, 1e8, 'USD spent on each purchase.'),
            _param('interval', 'int', 5, 1, 252, 'Bars between purchases (the first is on the first bar).'),
            CAPITAL, FEE,
        ],
    },
]

# Default governance per tier: the free tier gets fewer backtests per day than pro, and cheaper ceilings.
POLICIES = [
    {'tier': 'free', 'daily_limits': {'backtests': 5, 'risk-metrics': 1000},
     'approval_cost': None, 'max_cost': 50},
    {'tier': 'pro', 'daily_limits': {'backtests': 100, 'risk-metrics': 10000},
     'approval_cost': 500, 'max_cost': 5000},
    {'tier': 'enterprise', 'daily_limits': {'backtests': 1000, 'risk-metrics': 100000},
     'approval_cost': 5000, 'max_cost': None},
]


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('price_bars',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('symbol', sa.String(length=16), nullable=False),
    sa.Column('ts', sa.DateTime(timezone=True), nullable=False),
    sa.Column('open', sa.Numeric(precision=20, scale=8), nullable=False),
    sa.Column('high', sa.Numeric(precision=20, scale=8), nullable=False),
    sa.Column('low', sa.Numeric(precision=20, scale=8), nullable=False),
    sa.Column('close', sa.Numeric(precision=20, scale=8), nullable=False),
    sa.Column('volume', sa.Numeric(precision=20, scale=8), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_bars')),
    sa.UniqueConstraint('symbol', 'ts', name='uq_price_bars_symbol_ts')
    )
    op.create_table('strategy_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('risk_level', sa.Enum('low', 'medium', 'high', name='risklevel', create_constraint=True), nullable=False),
    sa.Column('min_tier', usertier(), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_strategy_templates')),
    sa.UniqueConstraint('slug', name=op.f('uq_strategy_templates_slug'))
    )
    with op.batch_alter_table('strategy_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_strategy_templates_category'), ['category'], unique=False)

    op.create_table('policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tier', usertier(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('allowed_templates', sa.JSON(), nullable=True),
    sa.Column('daily_limits', sa.JSON(), nullable=True),
    sa.Column('approval_cost', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('max_cost', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(tier IS NULL) <> (user_id IS NULL)', name=op.f('ck_policies_one_subject')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_policies_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policies')),
    sa.UniqueConstraint('tier', name=op.f('uq_policies_tier')),
    sa.UniqueConstraint('user_id', name=op.f('uq_policies_user_id'))
    )
    op.create_table('requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('endpoint', sa.String(length=64), nullable=False),
    sa.Column('model', sa.String(length=64), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'validating', 'approved', 'rejected', 'executing', 'executed', 'failed', 'cancelled', name='requeststatus', create_constraint=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('estimated_cost', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('actual_cost', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['template_id'], ['strategy_templates.id'], name=op.f('fk_requests_template_id_strategy_templates'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_requests_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_requests')),
    sa.UniqueConstraint('request_id', name=op.f('uq_requests_request_id'))
    )
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.create_index('ix_requests_user_id_created_at', ['user_id', 'created_at'], unique=False)

    # ### end Alembic commands ###
    seed()


def seed():
    """Insert the strategy templates and the per-tier policies through lightweight tables."""
    now = datetime.now(timezone.utc)
    templates = sa.table(
        'strategy_templates',
        sa.column('slug', sa.String), sa.column('name', sa.String), sa.column('description', sa.Text),
        sa.column('category', sa.String), sa.column('risk_level', sa.String), sa.column('min_tier', sa.String),
        sa.column('parameters', sa.JSON), sa.column('created_at', sa.DateTime(timezone=True)),
    )
    op.bulk_insert(templates, [{**row, 'created_at': now} for row in TEMPLATES])
    policies = sa.table(
        'policies',
        sa.column('tier', sa.String), sa.column('daily_limits', sa.JSON),
        sa.column('approval_cost', sa.Numeric(14, 4)), sa.column('max_cost', sa.Numeric(14, 4)),
        sa.column('created_at', sa.DateTime(timezone=True)), sa.column('updated_at', sa.DateTime(timezone=True)),
    )
    op.bulk_insert(policies, [{**row, 'created_at': now, 'updated_at': now} for row in POLICIES])


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_index('ix_requests_user_id_created_at')

    op.drop_table('requests')
    op.drop_table('policies')
    with op.batch_alter_table('strategy_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_strategy_templates_category'))

    op.drop_table('strategy_templates')
    op.drop_table('price_bars')
    # ### end Alembic commands ###
    # The seed rows go with their tables. drop_table leaves PostgreSQL enum types behind: drop the ones this
    # revision created (never `usertier`, which belongs to 0001).
    sa.Enum(name='requeststatus').drop(op.get_bind(), checkfirst=True)
    sa.Enum(name='risklevel').drop(op.get_bind(), checkfirst=True)
