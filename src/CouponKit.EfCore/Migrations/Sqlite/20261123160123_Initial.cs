using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CouponKit.EfCore.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ck_claims",
                columns: table => new
                {
                    ClaimKey = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    CouponId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    TemplateId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ck_claims", x => x.ClaimKey);
                });

            migrationBuilder.CreateTable(
                name: "ck_coupon_discounts",
                columns: table => new
                {
                    OrderId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    CouponId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Amount = table.Column<decimal>(type: "TEXT", precision: 38, scale: 10, nullable: false),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ck_coupon_discounts", x => new { x.OrderId, x.CouponId });
                });

            migrationBuilder.CreateTable(
                name: "ck_coupons",
                columns: table => new
                {
                    CouponId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    TemplateId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Sequence = table.Column<int>(type: "INTEGER", nullable: false),
                    State = table.Column<int>(type: "INTEGER", nullable: false),
                    ValidFrom = table.Column<long>(type: "INTEGER", nullable: false),
                    ValidUntil = table.Column<long>(type: "INTEGER", nullable: false),
                    ClaimedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Channel = table.Column<int>(type: "INTEGER", nullable: false),
                    OrderId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ck_coupons", x => x.CouponId);
                });

            migrationBuilder.CreateTable(
                name: "ck_dead_letters",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ConsumerGroup = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    LastError = table.Column<string>(type: "TEXT", nullable: false),
                    DeadAt = table.Column<long>(type: "INTEGER", nullable: false),
                    MessageId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Topic = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Tag = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Body = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DeliverAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ck_dead_letters", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ck_inbox",
                columns: table => new
                {
                    ConsumerGroup = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    MessageId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ck_inbox", x => new { x.ConsumerGroup, x.MessageId });
                });

            migrationBuilder.CreateTable(
                name: "ck_outbox",
                columns: table => new
                {
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    NextAttemptAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LeasedUntil = table.Column<long>(type: "INTEGER", nullable: false),
                    LastError = table.Column<string>(type: "TEXT", nullable: true),
                    MessageId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Topic = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Tag = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Body = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DeliverAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ck_outbox", x => x.Sequence);
                });

            migrationBuilder.CreateTable(
                name: "ck_stock_segments",
                columns: table => new
                {
                    TemplateId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Segment = table.Column<int>(type: "INTEGER", nullable: false),
                    Remaining = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ck_stock_segments", x => new { x.TemplateId, x.Segment });
                });

            migrationBuilder.CreateTable(
                name: "ck_tcc_operations",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrderId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    CouponId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Phase = table.Column<int>(type: "INTEGER", nullable: false),
                    Origin = table.Column<int>(type: "INTEGER", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ck_tcc_operations", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ck_templates",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Definition = table.Column<string>(type: "TEXT", nullable: false),
                    State = table.Column<int>(type: "INTEGER", nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false),
                    TotalInventory = table.Column<int>(type: "INTEGER", nullable: false),
                    Remaining = table.Column<int>(type: "INTEGER", nullable: false),
                    StockSegments = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ck_templates", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ck_coupons_State_ValidUntil",
                table: "ck_coupons",
                columns: new[] { "State", "ValidUntil" });

            migrationBuilder.CreateIndex(
                name: "IX_ck_coupons_TemplateId_UserId_Sequence",
                table: "ck_coupons",
                columns: new[] { "TemplateId", "UserId", "Sequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ck_coupons_UserId_ClaimedAt",
                table: "ck_coupons",
                columns: new[] { "UserId", "ClaimedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ck_dead_letters_ConsumerGroup_MessageId",
                table: "ck_dead_letters",
                columns: new[] { "ConsumerGroup", "MessageId" });

            migrationBuilder.CreateIndex(
                name: "IX_ck_outbox_Key_Status",
                table: "ck_outbox",
                columns: new[] { "Key", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_ck_outbox_MessageId",
                table: "ck_outbox",
                column: "MessageId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ck_outbox_Status_NextAttemptAt",
                table: "ck_outbox",
                columns: new[] { "Status", "NextAttemptAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ck_tcc_operations_OrderId_CouponId_Phase",
                table: "ck_tcc_operations",
                columns: new[] { "OrderId", "CouponId", "Phase" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ck_claims");

            migrationBuilder.DropTable(
                name: "ck_coupon_discounts");

            migrationBuilder.DropTable(
                name: "ck_coupons");

            migrationBuilder.DropTable(
                name: "ck_dead_letters");

            migrationBuilder.DropTable(
                name: "ck_inbox");

            migrationBuilder.DropTable(
                name: "ck_outbox");

            migrationBuilder.DropTable(
                name: "ck_stock_segments");

            migrationBuilder.DropTable(
                name: "ck_tcc_operations");

            migrationBuilder.DropTable(
                name: "ck_templates");
        }
    }
}
